package dev.offload.tck;

import static org.assertj.core.api.Assertions.assertThat;

import dev.offload.Job;
import dev.offload.JobError;
import dev.offload.JobId;
import dev.offload.JobQuery;
import dev.offload.JobState;
import dev.offload.spi.ClaimRequest;
import dev.offload.spi.Completion;
import dev.offload.spi.EnqueueResult;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Several threads on one store at once: claimers never share a job, each job completes once, a key
 * creates one job, and cancel or reaping racing a completion leaves exactly one winner.
 */
abstract class ConcurrencyContract extends ContractSupport {
  private static final int THREADS = 4;

  ConcurrencyContract(JobStoreContract owner) {
    super(owner);
  }

  @Test
  void concurrentClaimersNeverShareAJob() throws Exception {
    List<Job> jobs = enqueueBatch(400);
    Instant now = now();

    List<List<Job>> perWorker =
        Races.runConcurrently(
            THREADS,
            worker -> {
              List<Job> mine = new ArrayList<>();
              for (int max = 1; ; max = max % 8 + 1) {
                List<Job> got =
                    store()
                        .claim(new ClaimRequest("w" + worker, Set.of(), max, now, now.plus(LEASE)))
                        .jobs();
                assertThat(got.size()).isLessThanOrEqualTo(max);
                if (got.isEmpty()) {
                  return mine;
                }
                for (Job job : got) {
                  assertThat(job.leaseOwner()).isEqualTo("w" + worker);
                  assertThat(job.nextAttempt()).isEqualTo(1);
                }
                mine.addAll(got);
              }
            });

    List<JobId> claimed = perWorker.stream().flatMap(List::stream).map(Job::id).toList();
    assertThat(claimed).doesNotHaveDuplicates();
    assertThat(claimed).containsExactlyInAnyOrderElementsOf(jobs.stream().map(Job::id).toList());
    assertThat(store().counts().total(JobState.QUEUED)).as("claimed, not started").isEqualTo(400);
    assertThat(claim(WORKER, 10)).isEmpty();
  }

  @Test
  void concurrentWorkersCompleteEveryJobExactlyOnce() throws Exception {
    int n = 200;
    List<Job> jobs = enqueueBatch(n);
    AtomicInteger succeeded = new AtomicInteger();
    Map<JobId, AtomicInteger> releases = new ConcurrentHashMap<>();
    Map<JobId, String> winners = new ConcurrentHashMap<>();
    long deadline = System.nanoTime() + Races.DEADLINE.toNanos();

    Races.runConcurrently(
        THREADS,
        worker -> {
          String me = "w" + worker;
          int round = 0;
          while (succeeded.get() < n
              && System.nanoTime() < deadline
              && !Thread.currentThread().isInterrupted()) {
            List<Job> got =
                store().claim(new ClaimRequest(me, Set.of(), 4, now(), now().plus(LEASE))).jobs();
            if (got.isEmpty()) {
              Thread.onSpinWait();
              continue;
            }
            for (Job job : got) {
              // Every fifth first attempt is handed back, so jobs also move between workers.
              boolean release = job.leaseToken() == 1 && (round++ % 5 == 0);
              Completion c =
                  release
                      ? Completion.release(job.lease())
                      : Completion.succeeded(job.lease(), now(), "\"" + me + "\"");
              List<Boolean> applied = store().complete(List.of(c), now());
              assertThat(applied).as("the holder's completion").containsExactly(true);
              if (release) {
                releases.computeIfAbsent(job.id(), k -> new AtomicInteger()).incrementAndGet();
              } else {
                assertThat(winners.putIfAbsent(job.id(), me)).as("completed once").isNull();
                succeeded.incrementAndGet();
              }
            }
          }
          return null;
        });

    assertThat(succeeded.get()).isEqualTo(n);
    for (Job job : jobs) {
      Job done = get(job.id());
      int released = releases.getOrDefault(job.id(), new AtomicInteger()).get();
      assertThat(done.state()).isEqualTo(JobState.SUCCEEDED);
      assertThat(done.result()).isEqualTo("\"" + winners.get(job.id()) + "\"");
      assertThat(done.attempts()).as("releases are not charged").isEqualTo(1);
      assertThat(done.leaseToken()).isEqualTo(1 + released);
    }
  }

  @Test
  void concurrentEnqueuesOfOneKeyCreateOneJob() throws Exception {
    int keys = 50;

    List<List<EnqueueResult>> perThread =
        Races.runConcurrently(
            THREADS,
            thread -> {
              List<EnqueueResult> results = new ArrayList<>();
              for (int k = 0; k < keys; k++) {
                results.add(store().enqueue(queued().idempotencyKey("key-" + k).build()));
              }
              return results;
            });

    for (int k = 0; k < keys; k++) {
      int key = k;
      List<EnqueueResult> forKey = perThread.stream().map(r -> r.get(key)).toList();
      assertThat(forKey).filteredOn(EnqueueResult::created).as("key-%d", k).hasSize(1);
      assertThat(forKey.stream().map(r -> r.job().id()).collect(Collectors.toSet()))
          .as("every caller of key-%d gets the same job", k)
          .hasSize(1);
    }
    assertThat(listAll(JobQuery.all())).hasSize(keys);
  }

  @Test
  void cancelRacingCompletionHasExactlyOneWinner() throws Exception {
    List<Job> running = claimAll(enqueueBatch(150).size());
    Map<JobId, Boolean> completionApplied = new ConcurrentHashMap<>();
    Map<JobId, Optional<Job>> cancelSaw = new ConcurrentHashMap<>();

    Races.runConcurrently(
        2,
        side -> {
          for (Job job : running) {
            if (side == 0) {
              cancelSaw.put(job.id(), store().cancel(job.id(), now()));
            } else {
              completionApplied.put(
                  job.id(),
                  store()
                      .complete(List.of(Completion.succeeded(job.lease(), now(), "1")), now())
                      .get(0));
            }
          }
          return null;
        });

    for (Job job : running) {
      Job after = get(job.id());
      JobState cancelReturned = cancelSaw.get(job.id()).orElseThrow().state();
      if (completionApplied.get(job.id())) {
        assertThat(after.state())
            .as("completion won on %s", job.id())
            .isEqualTo(JobState.SUCCEEDED);
        assertThat(cancelReturned).isEqualTo(JobState.SUCCEEDED);
      } else {
        assertThat(after.state()).as("cancel won on %s", job.id()).isEqualTo(JobState.CANCELLED);
        assertThat(cancelReturned).isEqualTo(JobState.CANCELLED);
        assertThat(after.result()).isNull();
      }
    }
  }

  @Test
  void reapingRacingCompletionHasExactlyOneWinner() throws Exception {
    List<Job> running = claimAll(enqueueBatch(150).size());
    clock().advance(LEASE.plusMillis(1));
    Set<JobId> completed = ConcurrentHashMap.newKeySet();
    Set<JobId> reaped = ConcurrentHashMap.newKeySet();
    AtomicBoolean completerDone = new AtomicBoolean();

    Races.runConcurrently(
        2,
        side -> {
          if (side == 0) {
            boolean last = false;
            while (!last && !Thread.currentThread().isInterrupted()) {
              last = completerDone.get();
              for (Job job : store().reapExpiredLeases(now(), 100)) {
                assertThat(reaped.add(job.id())).as("reaped once").isTrue();
              }
            }
          } else {
            for (Job job : running) {
              if (store()
                  .complete(List.of(Completion.succeeded(job.lease(), now(), "1")), now())
                  .get(0)) {
                completed.add(job.id());
              }
            }
            completerDone.set(true);
          }
          return null;
        });

    Set<JobId> all = running.stream().map(Job::id).collect(Collectors.toSet());
    Set<JobId> both = new HashSet<>(completed);
    both.retainAll(reaped);
    assertThat(both).as("completed and reaped").isEmpty();
    Set<JobId> either = new HashSet<>(completed);
    either.addAll(reaped);
    assertThat(either).isEqualTo(all);
    for (Job job : running) {
      Job after = get(job.id());
      if (completed.contains(job.id())) {
        assertThat(after.state()).isEqualTo(JobState.SUCCEEDED);
      } else {
        assertThat(after.state()).isEqualTo(JobState.QUEUED);
        assertThat(after.error().type()).isEqualTo(JobError.LEASE_EXPIRED);
      }
    }
  }

  private List<Job> enqueueBatch(int n) {
    List<Job> jobs = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      jobs.add(queued().priority(i % 3).build());
    }
    assertThat(store().enqueueAll(jobs)).allMatch(EnqueueResult::created);
    return jobs;
  }

  private List<Job> claimAll(int n) {
    List<Job> claimed = claim(WORKER, n);
    assertThat(claimed).hasSize(n);
    return claimed;
  }
}
