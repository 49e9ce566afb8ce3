package dev.offload.tck;

import static org.assertj.core.api.Assertions.assertThat;

import dev.offload.Job;
import dev.offload.JobCounts;
import dev.offload.JobId;
import dev.offload.JobQuery;
import dev.offload.JobState;
import dev.offload.Lease;
import dev.offload.Page;
import dev.offload.WorkerInfo;
import dev.offload.spi.ClaimRequest;
import dev.offload.spi.ClaimResult;
import dev.offload.spi.Completion;
import dev.offload.spi.EnqueueResult;
import dev.offload.spi.Heartbeat;
import dev.offload.spi.JobStore;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/** The checker behind the transition contract catches what it claims to catch. */
class TransitionCheckingStoreTest {
  private final ManualClock clock = ManualClock.create();
  private final ScriptedStore scripted = new ScriptedStore();
  private final TransitionCheckingStore checked = new TransitionCheckingStore(scripted);
  private final Instant now = clock.instant();
  private final Instant until = now.plusSeconds(30);

  @Test
  void legalChangesPassAndAreObserved() {
    Job job = JobBuilder.queued(clock).build();
    checked.enqueue(job);
    Job claimed = job.claimed("w", now, until);
    scripted.next = jobs -> put(jobs, claimed);
    checked.claim(new ClaimRequest("w", Set.of(), 1, now, until));
    scripted.next = jobs -> put(jobs, claimed.started(now));
    checked.heartbeat(List.of(new Heartbeat(claimed.lease(), null, now)), until, now);

    assertThat(checked.violations()).isEmpty();
    assertThat(checked.observedTransitions()).containsExactly("QUEUED->RUNNING");
  }

  @Test
  void illegalTransitionIsReported() {
    Job running = JobBuilder.queued(clock).build().claimed("w", now, until).started(now);
    Job succeeded = running.finished(JobState.SUCCEEDED, "1", null, now);
    scripted.jobs.put(succeeded.id(), succeeded);
    // A buggy store re-claims a finished job: SUCCEEDED -> RUNNING.
    scripted.next = jobs -> put(jobs, running);

    checked.claim(new ClaimRequest("w", Set.of(), 1, now, until));

    assertThat(checked.violations())
        .anySatisfy(v -> assertThat(v).contains("illegal transition SUCCEEDED -> RUNNING"));
  }

  @Test
  void hiddenReclaimOfARunningJobIsReported() {
    Job first = JobBuilder.queued(clock).build().claimed("w1", now, until).started(now);
    scripted.jobs.put(first.id(), first);
    Job stolen = first.released(now).claimed("w2", now, until).started(now);
    scripted.next = jobs -> put(jobs, stolen);

    checked.claim(new ClaimRequest("w2", Set.of(), 1, now, until));

    assertThat(checked.violations()).singleElement().asString().contains("lease token changed");
  }

  @Test
  void heartbeatThatChangesStateIsReported() {
    Job running = JobBuilder.queued(clock).build().claimed("w", now, until).started(now);
    scripted.jobs.put(running.id(), running);
    scripted.next = jobs -> put(jobs, running.released(now));

    checked.heartbeat(List.of(Heartbeat.of(running.lease())), until, now);

    assertThat(checked.violations())
        .singleElement()
        .asString()
        .contains("heartbeat", "RUNNING -> QUEUED");
  }

  @Test
  void finishedJobEditedInPlaceIsReported() {
    Job failed =
        JobBuilder.queued(clock)
            .build()
            .claimed("w", now, until)
            .started(now)
            .finished(JobState.FAILED, null, null, now);
    scripted.jobs.put(failed.id(), failed);
    scripted.next =
        jobs -> put(jobs, failed.withState(JobState.QUEUED).withState(JobState.CANCELLED));

    checked.cancel(failed.id(), now);

    // FAILED -> CANCELLED is not in the table either.
    assertThat(checked.violations()).singleElement().asString().contains("FAILED -> CANCELLED");
  }

  @Test
  void jobVanishingOutsideDeleteOrPurgeIsReported() {
    Job job = JobBuilder.queued(clock).build();
    scripted.jobs.put(job.id(), job);
    scripted.next =
        jobs -> {
          jobs.remove(job.id());
          return jobs;
        };

    checked.reapExpiredLeases(now.plus(Duration.ofMinutes(1)), 100);

    assertThat(checked.violations()).singleElement().asString().contains("removed job");
  }

  private static Map<JobId, Job> put(Map<JobId, Job> jobs, Job job) {
    jobs.put(job.id(), job);
    return jobs;
  }

  /** A store whose next changing call applies a scripted effect; enqueue stores the job. */
  private static final class ScriptedStore implements JobStore {
    final Map<JobId, Job> jobs = new LinkedHashMap<>();
    UnaryOperator<Map<JobId, Job>> next = m -> m;

    private void apply() {
      next.apply(jobs);
      next = m -> m;
    }

    @Override
    public EnqueueResult enqueue(Job job) {
      jobs.put(job.id(), job);
      return new EnqueueResult(job, true);
    }

    @Override
    public List<EnqueueResult> enqueueAll(List<Job> batch) {
      return batch.stream().map(this::enqueue).toList();
    }

    @Override
    public ClaimResult claim(ClaimRequest request) {
      apply();
      return new ClaimResult(List.of(), 0);
    }

    @Override
    public Set<Lease> heartbeat(List<Heartbeat> beats, Instant leaseExpiresAt, Instant now) {
      apply();
      return Set.of();
    }

    @Override
    public List<Boolean> complete(List<Completion> completions, Instant now) {
      apply();
      return List.of();
    }

    @Override
    public Optional<Job> cancel(JobId id, Instant now) {
      apply();
      return Optional.ofNullable(jobs.get(id));
    }

    @Override
    public Optional<Job> requeue(JobId id, Instant now) {
      apply();
      return Optional.ofNullable(jobs.get(id));
    }

    @Override
    public boolean delete(JobId id) {
      return jobs.remove(id) != null;
    }

    @Override
    public Optional<Job> get(JobId id) {
      return Optional.ofNullable(jobs.get(id));
    }

    @Override
    public Page<Job> list(JobQuery query) {
      return new Page<>(new ArrayList<>(jobs.values()), null);
    }

    @Override
    public JobCounts counts() {
      return new JobCounts(Map.of());
    }

    @Override
    public List<Job> reapExpiredLeases(Instant now, int limit) {
      apply();
      return List.of();
    }

    @Override
    public int purge(Instant finishedBefore, int limit) {
      apply();
      return 0;
    }

    @Override
    public boolean awaitWork(Set<String> queues, long wakeMark, Duration maxWait) {
      return false;
    }

    @Override
    public void registerWorker(WorkerInfo worker) {}

    @Override
    public void unregisterWorker(String workerId) {}

    @Override
    public List<WorkerInfo> workers(Instant since) {
      return List.of();
    }

    @Override
    public boolean isHealthy() {
      return true;
    }

    @Override
    public void close() {}
  }
}
