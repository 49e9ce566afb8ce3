package dev.offload.tck;

import static org.assertj.core.api.Assertions.assertThat;

import dev.offload.Job;
import dev.offload.JobId;
import dev.offload.JobQuery;
import dev.offload.JobState;
import dev.offload.Page;
import dev.offload.spi.ClaimRequest;
import dev.offload.spi.EnqueueResult;
import dev.offload.spi.Heartbeat;
import dev.offload.spi.JobStore;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * What every part of the contract shares: the store and clock of the running test, and short
 * helpers to put jobs into a known state through the SPI itself.
 */
abstract class ContractSupport {
  /** The lease the helpers claim with unless a test says otherwise. */
  static final Duration LEASE = Duration.ofSeconds(30);

  static final String WORKER = "worker-1";
  static final String OTHER_WORKER = "worker-2";

  private final JobStoreContract owner;

  ContractSupport(JobStoreContract owner) {
    this.owner = owner;
  }

  final JobStore store() {
    return owner.store();
  }

  /** The second instance on the same data, or {@code null} when the store cannot be shared. */
  final JobStore secondInstance() throws Exception {
    return owner.secondInstance();
  }

  final ManualClock clock() {
    return owner.clock();
  }

  final Instant now() {
    return owner.clock().instant();
  }

  final JobBuilder queued() {
    return JobBuilder.queued(clock());
  }

  final JobBuilder scheduled(Duration delay) {
    return JobBuilder.scheduled(clock(), delay);
  }

  /** Enqueues {@code job}, which must be new, and returns it as stored. */
  final Job enqueue(Job job) {
    EnqueueResult result = store().enqueue(job);
    assertThat(result.created()).as("enqueue of new job %s created it", job.id()).isTrue();
    assertThat(result.job()).as("enqueue returns the job as given").isEqualTo(job);
    return result.job();
  }

  /** Enqueues a plain queued job. */
  final Job enqueueQueued() {
    return enqueue(queued().build());
  }

  /** Claims up to {@code max} jobs now as {@code worker} with the default lease. */
  final List<Job> claim(String worker, int max, String... queues) {
    return store()
        .claim(new ClaimRequest(worker, Set.of(queues), max, now(), now().plus(LEASE)))
        .jobs();
  }

  /**
   * Enqueues {@code job} in its own queue and claims it as {@code worker}. Returns the job as
   * claimed: still queued, leased, not started.
   */
  final Job claimed(Job job, String worker) {
    enqueue(job);
    List<Job> claimed = claim(worker, 1, job.queue());
    assertThat(claimed)
        .extracting(Job::id)
        .as("claim of the job just enqueued (the first due in its queue)")
        .containsExactly(job.id());
    return claimed.get(0);
  }

  /**
   * Enqueues {@code job} in its own queue, claims it as {@code worker} and reports its start with a
   * heartbeat: the standard way to get a running job. Returns the job as stored, running.
   */
  final Job running(Job job, String worker) {
    Job claimed = claimed(job, worker);
    assertThat(
            store()
                .heartbeat(
                    List.of(new Heartbeat(claimed.lease(), null, now())), now().plus(LEASE), now()))
        .as("start of a job just claimed")
        .isEmpty();
    Job started = get(job.id());
    assertThat(started).isEqualTo(claimed.started(now()).renewed(now().plus(LEASE), null));
    return started;
  }

  /** A new claimed (not started) job in queue {@code claimed-<n>}, held by {@link #WORKER}. */
  final Job claimed() {
    return claimed(queued().queue("claimed-" + JobId.newId(now())).build(), WORKER);
  }

  /** A new running job in queue {@code running-<n>}, held by {@link #WORKER}. */
  final Job running() {
    return running(queued().queue("running-" + JobId.newId(now())).build(), WORKER);
  }

  /** The stored job, which must exist. */
  final Job get(JobId id) {
    return store().get(id).orElseThrow(() -> new AssertionError("job " + id + " is missing"));
  }

  /** Every job, walking all pages of an unfiltered listing. */
  final List<Job> listAll(JobQuery query) {
    List<Job> all = new ArrayList<>();
    JobQuery q = query;
    while (true) {
      Page<Job> page = store().list(q);
      all.addAll(page.items());
      if (page.nextCursor() == null) {
        return all;
      }
      assertThat(all.size()).as("listing terminates").isLessThan(1_000_000);
      q = q.cursor(page.nextCursor());
    }
  }

  /** The store's counts without zero entries or empty queues, comparable across stores. */
  final Map<String, Map<JobState, Long>> nonZeroCounts() {
    Map<String, Map<JobState, Long>> result = new TreeMap<>();
    store()
        .counts()
        .byQueue()
        .forEach((queue, byState) -> {
          Map<JobState, Long> nonZero = new EnumMap<>(JobState.class);
          byState.forEach((state, n) -> {
            if (n != 0) {
              nonZero.put(state, n);
            }
          });
          if (!nonZero.isEmpty()) {
            result.put(queue, nonZero);
          }
        });
    return result;
  }
}
