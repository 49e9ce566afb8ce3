package dev.offload.store.sql;

import static dev.offload.store.sql.Jobs.job;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.offload.Job;
import dev.offload.JobError;
import dev.offload.JobId;
import dev.offload.JobQuery;
import dev.offload.JobState;
import dev.offload.JobStateConflictException;
import dev.offload.Page;
import dev.offload.Progress;
import dev.offload.WorkerInfo;
import dev.offload.spi.ClaimRequest;
import dev.offload.spi.Completion;
import dev.offload.spi.EnqueueResult;
import dev.offload.spi.Heartbeat;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The SQL semantics of the store, run against each dialect by a subclass that supplies a fresh
 * empty store's URL. Time is a fixed instant with nanoseconds, moved by hand.
 */
abstract class SqlJobStoreTestBase {
  static final Instant T0 = Instant.parse("2026-03-01T10:00:00.123456789Z");
  static final Duration LEASE = Duration.ofSeconds(30);

  protected String url;
  protected SqlJobStore store;

  /** A URL naming a fresh, empty store. */
  protected abstract String newStoreUrl() throws Exception;

  @BeforeEach
  void openStore() throws Exception {
    url = newStoreUrl();
    store = SqlJobStore.open(url);
  }

  @AfterEach
  void closeStore() {
    if (store != null) {
      store.close();
    }
  }

  static ClaimRequest claimAll(String worker, int max, Instant now) {
    return new ClaimRequest(worker, Set.of(), max, now, now.plus(LEASE));
  }

  @Test
  void storesEveryFieldExactly() {
    Job submitted =
        job()
            .input("{ \"text\" : \"héllo ✓\",\n  \"n\": 1.50, \"z\": null }")
            .priority(-3)
            .timeout(Duration.ofNanos(1_500_000_001))
            .key("order-42")
            .delay(Duration.ofNanos(7))
            .at(T0);
    EnqueueResult result = store.enqueue(submitted);
    assertThat(result.created()).isTrue();
    assertThat(result.job()).isEqualTo(submitted);
    assertThat(store.get(submitted.id())).contains(submitted);
  }

  @Test
  void idempotencyKeyReturnsTheFirstJob() {
    Job first = job().key("k1").at(T0);
    Job second = job().key("k1").input("{\"other\":true}").at(T0.plusMillis(1));
    store.enqueue(first);
    EnqueueResult again = store.enqueue(second);
    assertThat(again.created()).isFalse();
    assertThat(again.job()).isEqualTo(first);

    Job third = job().key("k2").at(T0);
    Job fourth = job().key("k2").at(T0);
    List<EnqueueResult> batch = store.enqueueAll(List.of(third, fourth, job().at(T0)));
    assertThat(batch).extracting(EnqueueResult::created).containsExactly(true, false, true);
    assertThat(batch.get(1).job()).isEqualTo(third);
    assertThat(store.counts().total(JobState.QUEUED)).isEqualTo(3);
  }

  @Test
  void enqueueOfAnExistingIdFails() {
    Job j = job().at(T0);
    store.enqueue(j);
    assertThatThrownBy(() -> store.enqueue(j)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void claimsInPriorityThenRunAtThenIdOrder() {
    Job low = job().priority(0).at(T0);
    Job high = job().priority(5).at(T0.plusSeconds(1));
    Job lowLater = job().priority(0).at(T0.plusSeconds(2));
    Job notDue = job().priority(9).delay(Duration.ofMinutes(1)).at(T0);
    Job otherQueue = job().queue("bulk").priority(7).at(T0);
    store.enqueueAll(List.of(low, high, lowLater, notDue, otherQueue));

    Instant now = T0.plusSeconds(3);
    List<Job> claimed =
        store.claim(new ClaimRequest("w1", Set.of("default"), 10, now, now.plus(LEASE)));
    assertThat(claimed).extracting(Job::id).containsExactly(high.id(), low.id(), lowLater.id());
    assertThat(claimed.get(0)).isEqualTo(high.claimed("w1", now, now.plus(LEASE)));
    assertThat(store.get(high.id())).contains(claimed.get(0));

    Instant later = T0.plusSeconds(61);
    assertThat(store.claim(claimAll("w2", 1, later)))
        .extracting(Job::id)
        .containsExactly(notDue.id());
    assertThat(store.claim(claimAll("w2", 5, later)))
        .extracting(Job::id)
        .containsExactly(otherQueue.id());
    assertThat(store.claim(claimAll("w2", 5, later))).isEmpty();
  }

  @Test
  void heartbeatsRenewHeldLeasesAndReportLostOnes() {
    Job a = job().at(T0);
    Job b = job().at(T0);
    store.enqueueAll(List.of(a, b));
    List<Job> claimed = store.claim(claimAll("w1", 2, T0));
    Job ca = claimed.stream().filter(j -> j.id().equals(a.id())).findFirst().orElseThrow();
    Job cb = claimed.stream().filter(j -> j.id().equals(b.id())).findFirst().orElseThrow();
    store.cancel(b.id(), T0.plusSeconds(1));

    Instant until = T0.plusSeconds(90);
    Progress progress = new Progress(0.5, "half way");
    Set<JobId> lost =
        store.heartbeat(
            List.of(new Heartbeat(ca.lease(), progress), new Heartbeat(cb.lease(), null)),
            until,
            T0.plusSeconds(2));
    assertThat(lost).containsExactly(b.id());
    assertThat(store.get(a.id())).contains(ca.renewed(until, progress));

    Set<JobId> stale =
        store.heartbeat(
            List.of(
                new Heartbeat(new dev.offload.Lease(a.id(), ca.attempts() + 1, "w1"), null),
                new Heartbeat(new dev.offload.Lease(a.id(), ca.attempts(), "w2"), null)),
            until,
            T0);
    assertThat(stale).containsExactly(a.id());
    assertThat(store.heartbeat(List.of(new Heartbeat(ca.lease(), null)), until, T0)).isEmpty();
    assertThat(store.get(a.id()).orElseThrow().progress()).isEqualTo(progress);
  }

  @Test
  void completionsApplyExactlyAsCompletionApplyToDefines() {
    JobError boom = new JobError(JobError.EXCEPTION, "boom", "trace");
    List<Job> jobs = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      jobs.add(job().at(T0));
    }
    store.enqueueAll(jobs);
    List<Job> running = store.claim(claimAll("w1", 4, T0));
    Instant now = T0.plusSeconds(5);
    List<Completion> completions =
        List.of(
            Completion.succeeded(running.get(0).lease(), "{\"ok\" : [1, 2]}"),
            Completion.failed(running.get(1).lease(), boom),
            Completion.retry(running.get(2).lease(), boom, now.plusSeconds(9)),
            Completion.release(running.get(3).lease()));
    assertThat(store.complete(completions, now)).containsExactly(true, true, true, true);
    for (int i = 0; i < 4; i++) {
      assertThat(store.get(running.get(i).id()))
          .contains(completions.get(i).applyTo(running.get(i), now));
    }
    // The same leases again are stale: rejected, nothing changes.
    List<Job> before = running.stream().map(j -> store.get(j.id()).orElseThrow()).toList();
    assertThat(store.complete(completions, now.plusSeconds(1)))
        .containsExactly(false, false, false, false);
    assertThat(running.stream().map(j -> store.get(j.id()).orElseThrow()).toList())
        .isEqualTo(before);
  }

  @Test
  void aStaleAttemptCannotOverwriteANewerOne() {
    Job j = job().at(T0);
    store.enqueue(j);
    Job first = store.claim(claimAll("w1", 1, T0)).getFirst();
    Instant later = T0.plus(LEASE).plusSeconds(1);
    assertThat(store.reapExpiredLeases(later))
        .extracting(Job::state)
        .containsExactly(JobState.QUEUED);
    Job second = store.claim(claimAll("w2", 1, later)).getFirst();
    assertThat(second.attempts()).isEqualTo(2);

    assertThat(store.complete(List.of(Completion.succeeded(first.lease(), "\"late\"")), later))
        .containsExactly(false);
    assertThat(store.get(j.id())).contains(second);
    assertThat(store.complete(List.of(Completion.succeeded(second.lease(), "\"new\"")), later))
        .containsExactly(true);
    assertThat(store.get(j.id()).orElseThrow().result()).isEqualTo("\"new\"");
  }

  @Test
  void cancelPendingRunningAndTerminalJobs() {
    Job first = job().at(T0);
    Job waiting = job().at(T0.plusMillis(1));
    store.enqueueAll(List.of(first, waiting));
    Job running = store.claim(claimAll("w", 1, T0.plusSeconds(1))).getFirst();
    assertThat(running.id()).isEqualTo(first.id());

    Instant now = T0.plusSeconds(2);
    JobError cancelled = new JobError(JobError.CANCELLED, "cancelled", null);
    assertThat(store.cancel(running.id(), now))
        .contains(running.finished(JobState.CANCELLED, null, cancelled, now));
    assertThat(store.cancel(waiting.id(), now))
        .contains(waiting.finished(JobState.CANCELLED, null, cancelled, now));
    // Terminal jobs stay as they are.
    assertThat(store.cancel(waiting.id(), now.plusSeconds(1)).orElseThrow().finishedAt())
        .isEqualTo(now);
    assertThat(store.cancel(JobId.newId(now), now)).isEmpty();
    // The cancelled run's lease is gone: its worker learns at the next heartbeat.
    assertThat(store.heartbeat(List.of(new Heartbeat(running.lease(), null)), now, now))
        .containsExactly(running.id());
  }

  @Test
  void requeueOnlyFailedOrCancelledJobs() {
    Job failed = job().maxAttempts(1).at(T0);
    Job queued = job().at(T0.plusMillis(1));
    store.enqueueAll(List.of(failed, queued));
    Job claimed = store.claim(claimAll("w", 1, T0)).getFirst();
    store.complete(List.of(Completion.failed(claimed.lease(), new JobError("x", "y", null))), T0);
    Job failedJob = store.get(failed.id()).orElseThrow();

    Instant now = T0.plusSeconds(3);
    assertThat(store.requeue(failed.id(), now)).contains(failedJob.requeued(now));
    assertThat(store.get(failed.id()).orElseThrow().maxAttempts()).isEqualTo(2);
    assertThatThrownBy(() -> store.requeue(queued.id(), now))
        .isInstanceOf(JobStateConflictException.class);
    assertThat(store.requeue(JobId.newId(now), now)).isEmpty();
  }

  @Test
  void deleteRefusesRunningJobs() {
    Job running = job().at(T0);
    Job queued = job().at(T0.plusMillis(1));
    store.enqueueAll(List.of(running, queued));
    store.claim(claimAll("w", 1, T0));
    assertThatThrownBy(() -> store.delete(running.id()))
        .isInstanceOf(JobStateConflictException.class);
    assertThat(store.delete(queued.id())).isTrue();
    assertThat(store.delete(queued.id())).isFalse();
    assertThat(store.get(queued.id())).isEmpty();
    assertThat(store.get(running.id())).isPresent();
  }

  @Test
  void listsNewestFirstWithFiltersAndCursor() {
    List<Job> jobs = new ArrayList<>();
    for (int i = 0; i < 7; i++) {
      jobs.add(
          job().task(i % 2 == 0 ? "even" : "odd").queue(i < 4 ? "a" : "b").at(T0.plusMillis(i)));
    }
    store.enqueueAll(jobs);
    Page<Job> first = store.list(JobQuery.all().limit(3));
    assertThat(first.items())
        .extracting(Job::id)
        .containsExactly(jobs.get(6).id(), jobs.get(5).id(), jobs.get(4).id());
    Page<Job> second = store.list(JobQuery.all().limit(3).cursor(first.nextCursor()));
    assertThat(second.items())
        .extracting(Job::id)
        .containsExactly(jobs.get(3).id(), jobs.get(2).id(), jobs.get(1).id());
    Page<Job> last = store.list(JobQuery.all().limit(3).cursor(second.nextCursor()));
    assertThat(last.items()).extracting(Job::id).containsExactly(jobs.get(0).id());
    assertThat(last.nextCursor()).isNull();

    assertThat(store.list(JobQuery.all().task("even").queue("a")).items())
        .extracting(Job::id)
        .containsExactly(jobs.get(2).id(), jobs.get(0).id());
    store.claim(claimAll("w", 1, T0.plusSeconds(1)));
    assertThat(store.list(JobQuery.all().states(Set.of(JobState.RUNNING))).items())
        .extracting(Job::id)
        .containsExactly(jobs.get(0).id());
  }

  @Test
  void countsPerQueueAndState() {
    store.enqueueAll(
        List.of(job().queue("a").at(T0), job().queue("a").at(T0), job().queue("b").at(T0)));
    store.claim(new ClaimRequest("w", Set.of("a"), 1, T0, T0.plus(LEASE)));
    var counts = store.counts();
    assertThat(counts.byQueue().get("a"))
        .containsEntry(JobState.QUEUED, 1L)
        .containsEntry(JobState.RUNNING, 1L);
    assertThat(counts.byQueue().get("b")).containsEntry(JobState.QUEUED, 1L);
    assertThat(counts.total(JobState.QUEUED)).isEqualTo(2);
  }

  @Test
  void reapRequeuesWhileAttemptsRemainElseFails() {
    Job retriable = job().maxAttempts(2).at(T0);
    Job lastTry = job().maxAttempts(1).at(T0.plusMillis(1));
    store.enqueueAll(List.of(retriable, lastTry));
    List<Job> running = store.claim(claimAll("w", 2, T0));
    assertThat(store.reapExpiredLeases(T0.plus(LEASE))).isEmpty(); // expiry is not yet past

    Instant now = T0.plus(LEASE).plusNanos(1);
    List<Job> reaped = new ArrayList<>(store.reapExpiredLeases(now));
    reaped.sort((x, y) -> x.id().compareTo(y.id()));
    JobError error =
        new JobError(
            JobError.LEASE_EXPIRED, "lease of worker w expired at " + T0.plus(LEASE), null);
    assertThat(reaped)
        .containsExactly(
            running.get(0).pendingAgain(JobState.QUEUED, now, error),
            running.get(1).finished(JobState.FAILED, null, error, now));
    assertThat(store.get(retriable.id())).contains(reaped.get(0));
    assertThat(store.reapExpiredLeases(now.plusSeconds(60))).isEmpty();
  }

  @Test
  void purgeDeletesOldTerminalJobsUpToTheLimit() {
    List<Job> jobs = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      jobs.add(job().at(T0));
    }
    Job pending = job().at(T0.plusMillis(1));
    store.enqueueAll(jobs);
    store.enqueue(pending);
    List<Job> running = store.claim(new ClaimRequest("w", Set.of(), 5, T0, T0.plus(LEASE)));
    for (int i = 0; i < running.size(); i++) {
      store.complete(List.of(Completion.succeeded(running.get(i).lease(), "1")), T0.plusSeconds(i));
    }
    assertThat(store.purge(T0.plusSeconds(3), 2)).isEqualTo(2);
    assertThat(store.purge(T0.plusSeconds(3), 100)).isEqualTo(1);
    assertThat(store.purge(T0.plusSeconds(100), 100)).isEqualTo(2);
    assertThat(store.list(JobQuery.all()).items())
        .extracting(Job::id)
        .containsExactly(pending.id());
  }

  @Test
  void workersRegisterUpdateAndLeave() {
    WorkerInfo w1 =
        new WorkerInfo("w1", "host-a", 42, 4, 1, Set.of("a", "b"), T0, T0.plusSeconds(5));
    WorkerInfo w2 = new WorkerInfo("w2", "host-b", 43, 2, 0, Set.of(), T0, T0.plusSeconds(1));
    store.registerWorker(w1);
    store.registerWorker(w2);
    assertThat(store.workers(T0)).containsExactly(w1, w2);
    WorkerInfo w1Later =
        new WorkerInfo("w1", "host-a", 42, 4, 3, Set.of("a", "b"), T0, T0.plusSeconds(9));
    store.registerWorker(w1Later);
    assertThat(store.workers(T0.plusSeconds(2))).containsExactly(w1Later);
    store.unregisterWorker("w1");
    assertThat(store.workers(T0)).containsExactly(w2);
  }

  @Test
  void awaitWorkWakesOnAnEnqueueFromAnotherStoreInstance() throws Exception {
    try (SqlJobStore other = SqlJobStore.open(url)) {
      assertThat(store.awaitWork(Set.of(), Duration.ofMillis(50))).isFalse();
      CountDownLatch waiting = new CountDownLatch(1);
      ExecutorService exec = Executors.newSingleThreadExecutor();
      try {
        Future<Boolean> woke =
            exec.submit(() -> {
              assertThat(store.claim(claimAll("w", 1, T0))).isEmpty();
              waiting.countDown();
              return store.awaitWork(Set.of(), Duration.ofSeconds(10));
            });
        assertThat(waiting.await(10, java.util.concurrent.TimeUnit.SECONDS))
            .as("claimer started (else see the future's failure: %s)", woke)
            .isTrue();
        long start = System.nanoTime();
        other.enqueue(job().at(T0));
        assertThat(woke.get()).isTrue();
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(2));
      } finally {
        exec.shutdownNow();
      }
    }
  }

  @Test
  void concurrentClaimersNeverShareAJob() throws Exception {
    int total = 400;
    List<Job> jobs = new ArrayList<>();
    for (int i = 0; i < total; i++) {
      jobs.add(job().at(T0));
    }
    store.enqueueAll(jobs);
    Set<JobId> seen = ConcurrentHashMap.newKeySet();
    List<JobId> duplicates = new ArrayList<>();
    try (SqlJobStore other = SqlJobStore.open(url);
        ExecutorService exec = Executors.newFixedThreadPool(4)) {
      List<Future<?>> futures = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        SqlJobStore s = t % 2 == 0 ? store : other;
        String worker = "w" + t;
        futures.add(
            exec.submit(() -> {
              while (true) {
                List<Job> got = s.claim(claimAll(worker, 7, T0));
                if (got.isEmpty()) {
                  return null;
                }
                for (Job j : got) {
                  if (!seen.add(j.id())) {
                    synchronized (duplicates) {
                      duplicates.add(j.id());
                    }
                  }
                }
              }
            }));
      }
      for (Future<?> f : futures) {
        f.get();
      }
    }
    assertThat(duplicates).isEmpty();
    assertThat(seen).hasSize(total);
    assertThat(new HashSet<>(seen)).isEqualTo(new HashSet<>(jobs.stream().map(Job::id).toList()));
  }

  @Test
  void closedStoreRefusesWork() {
    store.close();
    assertThat(store.isHealthy()).isFalse();
    assertThatThrownBy(() -> store.get(JobId.newId(T0))).isInstanceOf(IllegalStateException.class);
    store = null;
  }

  @Test
  void healthyWhileOpen() {
    assertThat(store.isHealthy()).isTrue();
  }
}
