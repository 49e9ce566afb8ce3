package dev.offload.redis;

import static dev.offload.redis.RedisTestSupport.job;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.offload.Job;
import dev.offload.JobAttempt;
import dev.offload.JobError;
import dev.offload.JobEvent;
import dev.offload.JobId;
import dev.offload.JobQuery;
import dev.offload.JobState;
import dev.offload.JobStateConflictException;
import dev.offload.JobStores;
import dev.offload.Lease;
import dev.offload.Page;
import dev.offload.Progress;
import dev.offload.StoreException;
import dev.offload.WorkerInfo;
import dev.offload.redis.internal.JobCodec;
import dev.offload.redis.internal.RedisJobStore;
import dev.offload.spi.ClaimRequest;
import dev.offload.spi.ClaimResult;
import dev.offload.spi.Completion;
import dev.offload.spi.EnqueueResult;
import dev.offload.spi.Heartbeat;
import dev.offload.spi.JobStore;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;

@Tag("service")
class RedisJobStoreTest {
  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
  private static final Instant LEASE = T0.plusSeconds(30);

  private final List<JobStore> opened = new ArrayList<>();
  private String prefix;
  private JobStore store;

  @BeforeEach
  void setUp() {
    RedisTestSupport.requireRedis();
    prefix = RedisTestSupport.uniquePrefix();
    store = open("prefix=" + prefix);
  }

  @AfterEach
  void tearDown() {
    opened.forEach(JobStore::close);
    if (prefix != null) {
      RedisTestSupport.deleteKeys(prefix);
    }
  }

  private JobStore open(String params) {
    JobStore s = JobStores.open(RedisTestSupport.url(params));
    opened.add(s);
    return s;
  }

  private List<Job> claim(int max, Instant now, String... queues) {
    return store
        .claim(new ClaimRequest("w1", Set.of(queues), max, now, now.plusSeconds(30)))
        .jobs();
  }

  /** Claims and reports the start of each job's task code at {@code now}: running, charged. */
  private List<Job> claimAndStart(int max, Instant now, String... queues) {
    List<Job> claimed = claim(max, now, queues);
    List<Heartbeat> beats = new ArrayList<>();
    for (Job j : claimed) {
      beats.add(new Heartbeat(j.lease(), null, now));
    }
    assertThat(store.heartbeat(beats, now.plusSeconds(30), now)).isEmpty();
    return claimed.stream().map(j -> store.get(j.id()).orElseThrow()).toList();
  }

  private static Job withKeyAndAttempts(Job j, String key, int maxAttempts) {
    return new Job(
        j.id(),
        j.task(),
        j.queue(),
        j.state(),
        j.priority(),
        j.input(),
        j.result(),
        j.error(),
        j.progress(),
        j.attempts(),
        maxAttempts,
        j.backoff(),
        Duration.ofSeconds(5),
        key,
        j.createdAt(),
        j.runAt(),
        j.startedAt(),
        j.finishedAt(),
        j.leaseOwner(),
        j.leaseExpiresAt(),
        j.leaseToken(),
        j.lostReservations(),
        j.history());
  }

  @Test
  void enqueueStoresTheJobExactlyAndGetReturnsIt() {
    Job job = withKeyAndAttempts(job("q", T0.plusNanos(123_456_789)), "k1", 4);
    EnqueueResult r = store.enqueue(job);
    assertThat(r.created()).isTrue();
    assertThat(store.get(job.id())).contains(job);
    assertThat(store.get(JobId.newId(T0))).isEmpty();
  }

  @Test
  void sameIdempotencyKeyReturnsTheFirstJob() {
    Job first = withKeyAndAttempts(job("q", T0), "order-42", 3);
    Job second = withKeyAndAttempts(job("q", T0.plusSeconds(1)), "order-42", 3);
    store.enqueue(first);
    EnqueueResult again = store.enqueue(second);
    assertThat(again.created()).isFalse();
    assertThat(again.job()).isEqualTo(first);
    assertThat(store.get(second.id())).isEmpty();
    List<EnqueueResult> batch =
        store.enqueueAll(
            List.of(
                withKeyAndAttempts(job("q", T0), "b", 3),
                withKeyAndAttempts(job("q", T0), "b", 3)));
    assertThat(batch).extracting(EnqueueResult::created).containsExactly(true, false);
    assertThat(batch.get(1).job().id()).isEqualTo(batch.get(0).job().id());
  }

  @Test
  void claimTakesHighestPriorityThenOldestRunAtThenOldestId() {
    Job low = job("q", -5, T0, T0);
    Job highLate = job("q", 10, T0, T0.plusMillis(1));
    Job highEarly = job("q", 10, T0, T0.minusSeconds(1));
    Job mid = job("q", 0, T0, T0);
    Job midLaterId = job("q", 0, T0.plusMillis(5), T0);
    store.enqueueAll(List.of(low, midLaterId, highLate, mid, highEarly));
    List<Job> claimed = claim(10, T0.plusSeconds(1));
    assertThat(claimed)
        .extracting(Job::id)
        .containsExactly(highEarly.id(), highLate.id(), mid.id(), midLaterId.id(), low.id());
    assertThat(claimed)
        .allSatisfy(j -> {
          // Claimed, not started: still queued, a token, no attempt charged.
          assertThat(j.state()).isEqualTo(JobState.QUEUED);
          assertThat(j.isReserved()).isTrue();
          assertThat(j.attempts()).isZero();
          assertThat(j.leaseToken()).isEqualTo(1);
          assertThat(j.lostReservations()).isZero();
          assertThat(j.leaseOwner()).isEqualTo("w1");
          assertThat(j.startedAt()).isNull();
          assertThat(j.leaseExpiresAt()).isEqualTo(T0.plusSeconds(31));
          assertThat(store.get(j.id())).contains(j);
        });
    assertThat(claim(10, T0.plusSeconds(1))).isEmpty();
  }

  @Test
  void claimMergesQueuesAndRespectsTheQueueFilter() {
    Job a = job("a", 1, T0, T0);
    Job b = job("b", 5, T0, T0);
    Job c = job("c", 9, T0, T0);
    store.enqueueAll(List.of(a, b, c));
    assertThat(claim(1, T0, "a", "b")).extracting(Job::id).containsExactly(b.id());
    assertThat(claim(5, T0)).extracting(Job::id).containsExactly(c.id(), a.id());
  }

  @Test
  void scheduledJobsBecomeClaimableWhenDueExactly() {
    Job later = job("q", 0, T0, T0.plusSeconds(10));
    store.enqueue(later);
    assertThat(store.get(later.id()).orElseThrow().state()).isEqualTo(JobState.SCHEDULED);
    assertThat(claim(1, T0.plusSeconds(10).minusNanos(1))).isEmpty();
    List<Job> claimed = claim(1, T0.plusSeconds(10));
    assertThat(claimed).extracting(Job::id).containsExactly(later.id());
  }

  @Test
  void heartbeatRenewsTheLeaseStoresProgressRecordsStartsAndReportsLostLeases() {
    Job a = job("q", T0);
    Job b = job("q", T0);
    Job c = job("q", T0);
    store.enqueueAll(List.of(a, b, c));
    List<Job> held = claim(3, T0);
    Job heldA = find(held, a.id());
    Job heldB = find(held, b.id());
    Job heldC = find(held, c.id());
    store.cancel(b.id(), T0.plusSeconds(1));
    Instant started = T0.plusMillis(1500);
    Set<Lease> lost =
        store.heartbeat(
            List.of(
                new Heartbeat(heldA.lease(), new Progress(0.5, "half"), started),
                new Heartbeat(heldB.lease(), null, null),
                Heartbeat.of(heldC.lease())),
            T0.plusSeconds(60),
            T0.plusSeconds(2));
    assertThat(lost).containsExactly(heldB.lease());
    Job renewed = store.get(a.id()).orElseThrow();
    assertThat(renewed)
        .isEqualTo(heldA.started(started).renewed(T0.plusSeconds(60), new Progress(0.5, "half")));
    assertThat(renewed.state()).isEqualTo(JobState.RUNNING);
    assertThat(renewed.attempts()).isEqualTo(1);
    // Still in the prefetch buffer: renewed, not started, not charged.
    assertThat(store.get(c.id())).contains(heldC.renewed(T0.plusSeconds(60), null));
    // A start reported twice charges once.
    store.heartbeat(
        List.of(new Heartbeat(heldA.lease(), null, started.plusSeconds(1))),
        T0.plusSeconds(61),
        T0.plusSeconds(3));
    assertThat(store.get(a.id()).orElseThrow().attempts()).isEqualTo(1);
    assertThat(store.get(a.id()).orElseThrow().startedAt()).isEqualTo(started);
    assertThat(store.reapExpiredLeases(T0.plusSeconds(45), 10)).isEmpty();
    assertThat(claim(5, T0.plusSeconds(45))).isEmpty(); // the renewed claim still holds
    assertThat(store.counts().byQueue().get("q"))
        .containsEntry(JobState.RUNNING, 1L)
        .containsEntry(JobState.QUEUED, 1L);
  }

  private static Job find(List<Job> jobs, JobId id) {
    return jobs.stream().filter(j -> j.id().equals(id)).findFirst().orElseThrow();
  }

  @Test
  void aLapsedClaimIsTakenOverWithoutChargeAndTheStaleLeaseIsFencedOut() {
    Job job = job("q", T0);
    store.enqueue(job);
    Job first = claim(1, T0).get(0);
    // Not reaped: it never started; only a claim after its lease lapsed takes it over.
    assertThat(store.reapExpiredLeases(T0.plusSeconds(31), 10)).isEmpty();
    assertThat(
            store.claim(new ClaimRequest("w2", Set.of(), 1, LEASE, LEASE.plusSeconds(30))).jobs())
        .isEmpty(); // expired strictly before now only
    Instant t = T0.plusSeconds(32);
    Job second =
        store.claim(new ClaimRequest("w2", Set.of(), 1, t, t.plusSeconds(30))).jobs().get(0);
    assertThat(second).isEqualTo(first.claimed("w2", t, t.plusSeconds(30)));
    assertThat(second.leaseToken()).isEqualTo(2);
    assertThat(second.lostReservations()).isEqualTo(1);
    assertThat(second.attempts()).isZero();
    assertThat(store.heartbeat(List.of(new Heartbeat(first.lease(), null, t)), LEASE, t))
        .containsExactly(first.lease());
    List<Boolean> applied =
        store.complete(
            List.of(
                Completion.succeeded(first.lease(), t, "\"stale\""),
                Completion.succeeded(second.lease(), t.plusSeconds(1), "\"fresh\"")),
            T0.plusSeconds(40));
    assertThat(applied).containsExactly(false, true);
    Job done = store.get(job.id()).orElseThrow();
    assertThat(done)
        .isEqualTo(
            Completion.succeeded(second.lease(), t.plusSeconds(1), "\"fresh\"")
                .applyTo(second, T0.plusSeconds(40)));
    assertThat(done.attempts()).isEqualTo(1);
    assertThat(done.leaseToken()).isEqualTo(2);
    assertThat(done.leaseOwner()).isNull();
    assertThat(done.history())
        .containsExactly(
            new JobAttempt(
                1, "w2", t.plusSeconds(1), T0.plusSeconds(40), JobAttempt.SUCCEEDED, null));
    assertThat(
            store.complete(
                List.of(Completion.succeeded(second.lease(), t, "1")), T0.plusSeconds(41)))
        .containsExactly(false);
  }

  @Test
  void everyOutcomeMatchesCompletionApplyToWhetherTheStartWasReportedOrNot() {
    JobError boom = new JobError(JobError.EXCEPTION, "boom", "trace");
    Instant now = T0.plusSeconds(5);
    Instant ran = T0.plusSeconds(1);
    List<Job> jobs = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      jobs.add(job("q", T0));
    }
    store.enqueueAll(jobs);
    List<Job> held = new ArrayList<>(claim(4, T0)); // reserved: started with the completion
    held.addAll(claimAndStart(4, T0)); // running: started by a heartbeat
    List<Completion> completions = new ArrayList<>();
    for (int k = 0; k < 2; k++) {
      List<Job> part = held.subList(4 * k, 4 * k + 4);
      completions.add(Completion.succeeded(part.get(0).lease(), ran, "{\"ok\":true}"));
      completions.add(Completion.failed(part.get(1).lease(), ran, boom));
      completions.add(Completion.retry(part.get(2).lease(), ran, boom, T0.plusSeconds(20)));
      completions.add(Completion.release(part.get(3).lease()));
    }
    assertThat(store.complete(completions, now)).containsOnly(true);
    for (int i = 0; i < 8; i++) {
      Job expected = completions.get(i).applyTo(held.get(i), now);
      assertThat(store.get(expected.id())).contains(expected);
    }
    // Charged once each, except the releases (the running one refunded).
    assertThat(held)
        .extracting(j -> store.get(j.id()).orElseThrow().attempts())
        .containsExactly(1, 1, 1, 0, 1, 1, 1, 0);
    assertThat(store.get(held.get(0).id()).orElseThrow().history())
        .singleElement()
        .satisfies(a -> {
          assertThat(a.attempt()).isEqualTo(1);
          assertThat(a.worker()).isEqualTo("w1");
          assertThat(a.startedAt()).isEqualTo(ran);
          assertThat(a.endedAt()).isEqualTo(now);
          assertThat(a.outcome()).isEqualTo(JobAttempt.SUCCEEDED);
          assertThat(a.error()).isNull();
        });
    assertThat(store.get(held.get(1).id()).orElseThrow().history().get(0).error()).isEqualTo(boom);
    assertThat(store.get(held.get(3).id()).orElseThrow().history()).isEmpty();
    // The released jobs are due again at once, the retries only at their time.
    assertThat(claim(5, now))
        .extracting(Job::id)
        .containsExactlyInAnyOrder(held.get(3).id(), held.get(7).id());
    assertThat(claim(5, T0.plusSeconds(20)))
        .extracting(Job::id)
        .containsExactlyInAnyOrder(held.get(2).id(), held.get(6).id());
  }

  @Test
  void aFirstAttemptSuccessKeepsItsHashSmall() {
    Job job = job("q", T0);
    store.enqueue(job);
    Job held = claim(1, T0).get(0);
    Instant ran = T0.plusMillis(5);
    Completion done = Completion.succeeded(held.lease(), ran, "null");
    store.complete(List.of(done), T0.plusSeconds(1));
    Job stored = store.get(job.id()).orElseThrow();
    assertThat(stored).isEqualTo(done.applyTo(held, T0.plusSeconds(1)));
    assertThat(stored.history())
        .containsExactly(
            new JobAttempt(1, "w1", ran, T0.plusSeconds(1), JobAttempt.SUCCEEDED, null));
    try (Jedis jedis = RedisTestSupport.connect(RedisTestSupport.baseUrl())) {
      // Its one history entry is implied by its fields: no JSON that would push the hash past
      // hash-max-listpack-value (and triple its memory).
      assertThat(jedis.hget(prefix + ":job:" + job.id(), "hist")).isNull();
      assertThat(jedis.objectEncoding(prefix + ":job:" + job.id())).isEqualTo("listpack");
    }
  }

  @Test
  void aSuccessAfterFailuresClearsTheErrorAndKeepsEveryAttemptInTheHistory() {
    JobError boom = new JobError(JobError.EXCEPTION, "boom \"/\\ ü", "at x\nat y");
    Job job = job("q", T0);
    store.enqueue(job);
    Job held = claimAndStart(1, T0).get(0);
    store.complete(List.of(Completion.retry(held.lease(), T0, boom, T0.plusSeconds(1))), T0);
    Instant t2 = T0.plusSeconds(2);
    Job again = claim(1, t2).get(0);
    assertThat(store.reapExpiredLeases(t2.plusSeconds(31), 10)).isEmpty(); // not started
    Instant t3 = t2.plusSeconds(40);
    Job third =
        store.claim(new ClaimRequest("w3", Set.of(), 1, t3, t3.plusSeconds(30))).jobs().get(0);
    assertThat(third.lostReservations()).isEqualTo(1);
    store.heartbeat(List.of(new Heartbeat(third.lease(), null, t3)), t3.plusSeconds(1), t3);
    // The worker dies: reaped, charged, recorded.
    Job reaped = store.reapExpiredLeases(t3.plusSeconds(2), 10).get(0);
    assertThat(reaped.state()).isEqualTo(JobState.QUEUED);
    assertThat(reaped.attempts()).isEqualTo(2);
    assertThat(reaped.error().type()).isEqualTo(JobError.LEASE_EXPIRED);
    Instant t4 = t3.plusSeconds(5);
    Job fourth = claim(1, t4).get(0);
    store.complete(List.of(Completion.succeeded(fourth.lease(), t4, "7")), t4.plusSeconds(1));
    Job done = store.get(job.id()).orElseThrow();
    assertThat(done.state()).isEqualTo(JobState.SUCCEEDED);
    assertThat(done.error()).isNull();
    assertThat(done.result()).isEqualTo("7");
    assertThat(done.attempts()).isEqualTo(3);
    assertThat(done.leaseToken()).isEqualTo(4);
    assertThat(done.history())
        .extracting(JobAttempt::attempt, JobAttempt::worker, JobAttempt::outcome)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(1, "w1", JobAttempt.FAILED),
            org.assertj.core.groups.Tuple.tuple(2, "w3", JobAttempt.LEASE_EXPIRED),
            org.assertj.core.groups.Tuple.tuple(3, "w1", JobAttempt.SUCCEEDED));
    assertThat(done.history().get(0).error()).isEqualTo(boom);
    assertThat(done.history().get(1).error()).isEqualTo(reaped.error());
    assertThat(done.history().get(1).startedAt()).isEqualTo(t3);
    assertThat(done.history().get(1).endedAt()).isEqualTo(t3.plusSeconds(2));
    assertThat(again.leaseToken()).isEqualTo(2);
  }

  @Test
  void cancelEndsPendingReservedAndRunningJobsAndLeavesTerminalOnes() {
    Job pending = job("q", 0, T0, T0.plusSeconds(100));
    Job running = job("q", T0);
    Job reserved = job("q", T0);
    store.enqueueAll(List.of(pending, running, reserved));
    Job held = claimAndStart(1, T0).get(0);
    Job claimed = claim(1, T0).get(0);
    Job cancelled = store.cancel(pending.id(), T0.plusSeconds(1)).orElseThrow();
    assertThat(cancelled.state()).isEqualTo(JobState.CANCELLED);
    assertThat(cancelled.error().type()).isEqualTo(JobError.CANCELLED);
    assertThat(cancelled.finishedAt()).isEqualTo(T0.plusSeconds(1));
    Job cancelledRunning = store.cancel(held.id(), T0.plusSeconds(2)).orElseThrow();
    assertThat(cancelledRunning).isEqualTo(held.cancelled(T0.plusSeconds(2)));
    assertThat(cancelledRunning.history())
        .extracting(JobAttempt::outcome)
        .containsExactly("cancelled");
    Job cancelledClaim = store.cancel(claimed.id(), T0.plusSeconds(2)).orElseThrow();
    assertThat(cancelledClaim).isEqualTo(claimed.cancelled(T0.plusSeconds(2)));
    assertThat(cancelledClaim.history()).isEmpty();
    assertThat(
            store.complete(
                List.of(
                    Completion.succeeded(held.lease(), T0, "1"),
                    Completion.succeeded(claimed.lease(), T0, "1")),
                T0))
        .containsExactly(false, false);
    assertThat(store.cancel(held.id(), T0.plusSeconds(9)).orElseThrow().finishedAt())
        .isEqualTo(T0.plusSeconds(2));
    assertThat(store.cancel(JobId.newId(T0), T0)).isEmpty();
    assertThat(claim(5, T0.plusSeconds(1000))).isEmpty();
    assertThat(store.counts().byQueue().get("q"))
        .containsOnly(java.util.Map.entry(JobState.CANCELLED, 3L));
  }

  @Test
  void requeueTakesBackFailedAndCancelledJobsOnlyWithMoreAttemptsAllowed() {
    Job job = job("q", T0);
    store.enqueue(job);
    assertThatThrownBy(() -> store.requeue(job.id(), T0))
        .isInstanceOf(JobStateConflictException.class);
    Job running = claim(1, T0).get(0);
    store.complete(
        List.of(Completion.failed(running.lease(), T0, new JobError("exception", "x", null))), T0);
    Job failed = store.get(job.id()).orElseThrow();
    assertThat(failed.attempts()).isEqualTo(1);
    Job requeued = store.requeue(job.id(), T0.plusSeconds(3)).orElseThrow();
    assertThat(requeued).isEqualTo(failed.requeued(T0.plusSeconds(3)));
    assertThat(requeued.attempts()).isEqualTo(1);
    assertThat(requeued.maxAttempts()).isEqualTo(failed.maxAttempts() + 1);
    assertThat(requeued.history()).hasSize(1);
    Job again = claim(1, T0.plusSeconds(3)).get(0);
    assertThat(again.leaseToken()).isEqualTo(2);
    assertThat(again.nextAttempt()).isEqualTo(2);
    assertThat(store.requeue(JobId.newId(T0), T0)).isEmpty();
  }

  @Test
  void deleteRefusesRunningAndClaimedJobs() {
    Job job = job("q", T0);
    Job other = job("q", T0);
    store.enqueueAll(List.of(job, other));
    Job running = claimAndStart(1, T0).get(0);
    Job claimed = claim(1, T0).get(0);
    assertThatThrownBy(() -> store.delete(running.id()))
        .isInstanceOf(JobStateConflictException.class);
    assertThatThrownBy(() -> store.delete(claimed.id()))
        .isInstanceOf(JobStateConflictException.class);
    store.complete(
        List.of(
            Completion.succeeded(running.lease(), T0, "1"), Completion.release(claimed.lease())),
        T0);
    assertThat(store.delete(running.id())).isTrue();
    assertThat(store.delete(running.id())).isFalse();
    assertThat(store.get(running.id())).isEmpty();
    assertThat(store.delete(claimed.id())).isTrue(); // released: waiting, no holder
    assertThat(store.counts().byQueue()).isEmpty();
    assertThat(claim(5, T0)).isEmpty();
  }

  @Test
  void reapRequeuesWhileAttemptsRemainThenFailsAndIsBounded() {
    Job job = withKeyAndAttempts(job("q", T0), null, 2);
    store.enqueue(job);
    claimAndStart(1, T0);
    assertThat(store.reapExpiredLeases(LEASE, 10)).isEmpty(); // expired strictly before now only
    List<Job> reaped = store.reapExpiredLeases(LEASE.plusNanos(1), 10);
    assertThat(reaped).hasSize(1);
    assertThat(reaped.get(0).state()).isEqualTo(JobState.QUEUED);
    assertThat(reaped.get(0).error().type()).isEqualTo(JobError.LEASE_EXPIRED);
    assertThat(reaped.get(0).attempts()).isEqualTo(1);
    Instant t1 = T0.plusSeconds(100);
    claimAndStart(1, t1);
    Job failed = store.reapExpiredLeases(t1.plusSeconds(31), 10).get(0);
    assertThat(failed.state()).isEqualTo(JobState.FAILED);
    assertThat(failed.attempts()).isEqualTo(2);
    assertThat(failed.history()).extracting(JobAttempt::outcome).containsOnly("lease-expired");
    assertThat(store.get(job.id())).contains(failed);

    List<Job> many = new ArrayList<>();
    for (int i = 0; i < 7; i++) {
      many.add(job("r", T0));
    }
    store.enqueueAll(many);
    claimAndStart(7, T0, "r");
    assertThat(store.reapExpiredLeases(LEASE.plusSeconds(1), 3)).hasSize(3);
    assertThat(store.reapExpiredLeases(LEASE.plusSeconds(1), 3)).hasSize(3);
    assertThat(store.reapExpiredLeases(LEASE.plusSeconds(1), 3)).hasSize(1);
    assertThat(store.reapExpiredLeases(LEASE.plusSeconds(1), 3)).isEmpty();
  }

  @Test
  void listPagesNewestFirstWithFilters() {
    List<Job> jobs = new ArrayList<>();
    for (int i = 0; i < 25; i++) {
      jobs.add(job(i % 2 == 0 ? "even" : "odd", T0.plusMillis(i)));
    }
    store.enqueueAll(jobs);
    List<Job> running = claimAndStart(3, T0.plusSeconds(1), "even");
    List<JobId> all = new ArrayList<>();
    String cursor = null;
    do {
      Page<Job> page = store.list(JobQuery.all().limit(7).cursor(cursor));
      assertThat(page.items().size()).isLessThanOrEqualTo(7);
      page.items().forEach(j -> all.add(j.id()));
      cursor = page.nextCursor();
    } while (cursor != null);
    assertThat(all).containsExactlyElementsOf(jobs.reversed().stream().map(Job::id).toList());

    Page<Job> odd = store.list(JobQuery.all().queue("odd").limit(100));
    assertThat(odd.items()).hasSize(12).allMatch(j -> j.queue().equals("odd"));
    assertThat(odd.nextCursor()).isNull();
    Page<Job> runningPage =
        store.list(JobQuery.all().states(Set.of(JobState.RUNNING, JobState.FAILED)).limit(2));
    assertThat(runningPage.items())
        .extracting(Job::id)
        .containsExactly(running.get(2).id(), running.get(1).id());
    Page<Job> rest =
        store.list(
            JobQuery.all()
                .states(Set.of(JobState.RUNNING))
                .limit(2)
                .cursor(runningPage.nextCursor()));
    assertThat(rest.items()).extracting(Job::id).containsExactly(running.get(0).id());
    assertThat(rest.nextCursor()).isNull();
    assertThat(store.list(JobQuery.all().task("other")).items()).isEmpty();
  }

  @Test
  void countsFollowEveryChange() {
    store.enqueueAll(List.of(job("a", T0), job("a", T0), job("b", 0, T0, T0.plusSeconds(5))));
    Job claimed = claim(1, T0, "a").get(0);
    // A claimed job is not running until its task code starts.
    assertThat(store.counts().byQueue())
        .isEqualTo(
            java.util.Map.of(
                "a", java.util.Map.of(JobState.QUEUED, 2L),
                "b", java.util.Map.of(JobState.SCHEDULED, 1L)));
    Job running = claimAndStart(1, T0, "a").get(0);
    assertThat(store.counts().byQueue().get("a"))
        .isEqualTo(java.util.Map.of(JobState.QUEUED, 1L, JobState.RUNNING, 1L));
    store.complete(
        List.of(
            Completion.succeeded(running.lease(), T0, "1"),
            Completion.succeeded(claimed.lease(), T0, "1")),
        T0);
    assertThat(store.counts().total(JobState.SUCCEEDED)).isEqualTo(2);
    assertThat(store.counts().total(JobState.RUNNING)).isZero();
  }

  @Test
  void purgeDeletesFinishedJobsBeforeTheCutoff() {
    List<Job> jobs = List.of(job("q", T0), job("q", T0), job("q", T0));
    store.enqueueAll(jobs);
    List<Job> running = claim(3, T0);
    store.complete(
        List.of(Completion.succeeded(running.get(0).lease(), T0, "1")), T0.plusSeconds(1));
    store.complete(
        List.of(Completion.succeeded(running.get(1).lease(), T0, "1")), T0.plusSeconds(2));
    assertThat(store.purge(T0.plusSeconds(2), 10)).isEqualTo(1);
    assertThat(store.get(running.get(0).id())).isEmpty();
    assertThat(store.get(running.get(1).id())).isPresent();
    assertThat(store.purge(T0.plusSeconds(3), 10)).isEqualTo(1);
    assertThat(store.get(running.get(2).id())).isPresent();
  }

  @Test
  void aCapTheUserSetDropsTheOldestFinishedJobsAndCountsEveryDrop() {
    RedisJobStore capped = (RedisJobStore) open("prefix=" + prefix + "&maxFinished=5");
    assertThat(capped.config().maxFinished()).isEqualTo(5);
    List<Job> jobs = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      jobs.add(job("q", T0));
    }
    capped.enqueueAll(jobs);
    List<Job> running = capped.claim(new ClaimRequest("w", Set.of(), 12, T0, LEASE)).jobs();
    for (int i = 0; i < 10; i++) {
      capped.complete(
          List.of(Completion.succeeded(running.get(i).lease(), T0, "1")), T0.plusSeconds(i));
    }
    capped.cancel(running.get(10).id(), T0.plusSeconds(10));
    assertThat(capped.counts().total(JobState.SUCCEEDED)).isEqualTo(4);
    assertThat(capped.counts().total(JobState.CANCELLED)).isEqualTo(1);
    assertThat(capped.get(running.get(9).id())).isPresent();
    assertThat(capped.get(running.get(4).id())).isEmpty();
    assertThat(capped.finishedDropped()).isEqualTo(6);
    assertThat(store.finishedDropped()).isZero(); // counted by the store that dropped them
  }

  @Test
  void withoutACapEveryFinishedJobIsKeptUntilPurged() {
    assertThat(((RedisJobStore) store).config().maxFinished()).isZero();
    int n = 105_000; // past the old default cap of 100,000
    Instant now = T0;
    for (int from = 0; from < n; from += 5000) {
      List<Job> batch = new ArrayList<>(5000);
      for (int i = 0; i < 5000; i++) {
        batch.add(job("bulk", now));
      }
      store.enqueueAll(batch);
      List<Job> held =
          store.claim(new ClaimRequest("w", Set.of(), 5000, now, now.plusSeconds(30))).jobs();
      List<Completion> done = new ArrayList<>(held.size());
      for (Job j : held) {
        done.add(Completion.succeeded(j.lease(), now, "1"));
      }
      assertThat(store.complete(done, now.plusMillis(from))).containsOnly(true);
    }
    assertThat(store.counts().total(JobState.SUCCEEDED)).isEqualTo(n);
    assertThat(store.finishedDropped()).isZero();
    // Retention, not a cap, removes them: a purge in bounded runs.
    int purged = 0;
    int run;
    do {
      run = store.purge(now.plusSeconds(3600), 50_000);
      assertThat(run).isLessThanOrEqualTo(50_000);
      purged += run;
    } while (run == 50_000);
    assertThat(purged).isEqualTo(n);
    assertThat(store.counts().byQueue()).isEmpty();
  }

  @Test
  void prefixesKeepInstallationsApart() {
    String other = RedisTestSupport.uniquePrefix();
    try {
      JobStore second = open("prefix=" + other);
      store.enqueue(job("q", T0));
      assertThat(second.claim(new ClaimRequest("w", Set.of(), 5, T0, LEASE)).jobs()).isEmpty();
      assertThat(second.counts().byQueue()).isEmpty();
    } finally {
      RedisTestSupport.deleteKeys(other);
    }
  }

  @Test
  void scriptsComeBackAfterAScriptFlush() {
    store.enqueue(job("q", T0));
    try (Jedis jedis = RedisTestSupport.connect(RedisTestSupport.baseUrl())) {
      jedis.scriptFlush();
    }
    assertThat(claim(1, T0)).hasSize(1);
  }

  @Test
  void awaitWorkWakesOnEnqueueFromAnotherStoreButNotForOtherQueues() throws Exception {
    JobStore producer = open("prefix=" + prefix);
    AtomicBoolean woke = new AtomicBoolean();
    Thread waiter =
        Thread.ofPlatform()
            .start(() -> {
              try {
                long mark =
                    store.claim(new ClaimRequest("w", Set.of("wanted"), 1, T0, LEASE)).wakeMark();
                woke.set(store.awaitWork(Set.of("wanted"), mark, Duration.ofSeconds(20)));
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            });
    await().until(() -> waiter.getState() == Thread.State.TIMED_WAITING);
    producer.enqueue(job("other", T0));
    waiter.join(300);
    assertThat(waiter.isAlive()).isTrue();
    long start = System.nanoTime();
    producer.enqueue(job("wanted", T0));
    waiter.join(5000);
    assertThat(woke).isTrue();
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(2));
    long mark = store.claim(new ClaimRequest("w", Set.of("none"), 1, T0, LEASE)).wakeMark();
    assertThat(store.awaitWork(Set.of(), mark, Duration.ofMillis(50))).isFalse();
  }

  @Test
  void awaitWorkOnAnotherThreadReturnsAtOnceWhenWorkArrivedSinceTheClaimsMark() throws Exception {
    JobStore producer = open("prefix=" + prefix);
    ClaimResult empty = store.claim(new ClaimRequest("w1", Set.of("q"), 1, T0, LEASE));
    assertThat(empty.jobs()).isEmpty();
    Thread witness =
        Thread.ofPlatform()
            .start(() -> {
              try {
                store.awaitWork(Set.of("q"), empty.wakeMark(), Duration.ofSeconds(20));
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            });
    await().until(() -> witness.getState() == Thread.State.TIMED_WAITING);
    producer.enqueue(job("q", T0));
    witness.join(5000); // once the witness woke, the store has seen the wake-up
    assertThat(witness.isAlive()).isFalse();
    // The mark travels with the claim's result: a third thread waiting on it returns at once.
    AtomicBoolean woke = new AtomicBoolean();
    long start = System.nanoTime();
    Thread late =
        Thread.ofPlatform()
            .start(() -> {
              try {
                woke.set(store.awaitWork(Set.of("q"), empty.wakeMark(), Duration.ofSeconds(10)));
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            });
    late.join(10_000);
    assertThat(woke).isTrue();
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(1));
    // A mark taken after the wake-up waits for the next one.
    long fresh = store.claim(new ClaimRequest("w1", Set.of("other"), 1, T0, LEASE)).wakeMark();
    assertThat(store.awaitWork(Set.of("q"), fresh, Duration.ofMillis(100))).isFalse();
  }

  @Test
  void aRetryComingDueWakesWaitersInOtherProcesses() throws Exception {
    JobStore other = open("prefix=" + prefix);
    store.enqueue(job("retries", T0));
    Job running = claim(1, T0).get(0);
    AtomicBoolean woke = new AtomicBoolean();
    Thread waiter =
        Thread.ofPlatform()
            .start(() -> {
              try {
                long mark =
                    other.claim(new ClaimRequest("w2", Set.of("retries"), 1, T0, LEASE)).wakeMark();
                woke.set(other.awaitWork(Set.of("retries"), mark, Duration.ofSeconds(20)));
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            });
    await().until(() -> waiter.getState() == Thread.State.TIMED_WAITING);
    long start = System.nanoTime();
    // Due 300 ms after the completion's "now": the completing store keeps the timer.
    store.complete(
        List.of(
            Completion.retry(
                running.lease(), T0, new JobError("exception", "x", null), T0.plusMillis(300))),
        T0);
    waiter.join(10_000);
    Duration took = Duration.ofNanos(System.nanoTime() - start);
    assertThat(woke).isTrue();
    assertThat(took).isBetween(Duration.ofMillis(250), Duration.ofSeconds(5));
    assertThat(
            other
                .claim(new ClaimRequest("w2", Set.of(), 1, T0.plusMillis(300), T0.plusSeconds(60)))
                .jobs())
        .extracting(Job::attempts, Job::leaseToken)
        .containsExactly(org.assertj.core.groups.Tuple.tuple(1, 2L));
  }

  @Test
  void eventsFromOtherProcessesReachSubscribers() throws Exception {
    JobStore other = open("prefix=" + prefix);
    List<JobEvent> events = new CopyOnWriteArrayList<>();
    try (AutoCloseable sub = store.subscribe(events::add)) {
      await().until(() -> subscribedToEvents());
      Job job = job("q", T0);
      other.enqueue(job);
      Job running = other.claim(new ClaimRequest("w", Set.of(), 1, T0, LEASE)).jobs().get(0);
      other.heartbeat(List.of(new Heartbeat(running.lease(), null, T0)), LEASE, T0);
      other.heartbeat(
          List.of(new Heartbeat(running.lease(), new Progress(0.25, null), null)), LEASE, T0);
      other.complete(List.of(Completion.succeeded(running.lease(), T0, "1")), T0.plusSeconds(1));
      store.enqueue(job("q", T0)); // own changes are not echoed
      await()
          .untilAsserted(() ->
              assertThat(events)
                  .extracting(JobEvent::state)
                  .containsExactly(
                      JobState.QUEUED, JobState.RUNNING, JobState.RUNNING, JobState.SUCCEEDED));
      assertThat(events.get(2).progress()).isEqualTo(new Progress(0.25, null));
      assertThat(events.get(3).at()).isEqualTo(T0.plusSeconds(1));
      assertThat(events).allMatch(e -> e.id().equals(job.id()));
    }
  }

  private boolean subscribedToEvents() {
    try (Jedis jedis = RedisTestSupport.connect(RedisTestSupport.baseUrl())) {
      String channel = prefix + ":" + ((RedisJobStore) store).config().database() + ":events";
      return jedis.pubsubNumSub(channel).get(channel) > 0;
    }
  }

  @Test
  void workersAreRegisteredListedAndRemoved() {
    WorkerInfo w1 = new WorkerInfo("w1", "h", 1, 4, 0, Set.of("q"), T0, T0.plusSeconds(10));
    WorkerInfo w2 = new WorkerInfo("w2", "h", 2, 4, 1, Set.of(), T0, T0.plusSeconds(20));
    store.registerWorker(w1);
    store.registerWorker(w2);
    assertThat(store.workers(T0)).containsExactly(w1, w2);
    assertThat(store.workers(T0.plusSeconds(15))).containsExactly(w2);
    store.unregisterWorker("w1");
    assertThat(store.workers(T0)).containsExactly(w2);
    // A worker silent for a day is forgotten when others report.
    store.registerWorker(
        new WorkerInfo("w3", "h", 3, 1, 0, Set.of(), T0, T0.plus(Duration.ofDays(2))));
    assertThat(store.workers(T0)).extracting(WorkerInfo::id).containsExactly("w3");
  }

  @Test
  void healthAndClose() {
    assertThat(store.isHealthy()).isTrue();
    store.close();
    assertThat(store.isHealthy()).isFalse();
    assertThatThrownBy(() -> store.get(JobId.newId(T0))).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void unreachableOrWrongUrlsFailFastNamingTheUrlWithoutThePassword() {
    long start = System.nanoTime();
    assertThatThrownBy(() -> JobStores.open("redis://u:s3cret@127.0.0.1:1/0"))
        .isInstanceOf(StoreException.class)
        .hasMessageContaining("redis://u:***@127.0.0.1:1/0")
        .hasMessageNotContaining("s3cret");
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
    assertThatThrownBy(() -> JobStores.open("redis://127.0.0.1:6379/x"))
        .isInstanceOf(StoreException.class)
        .hasMessageContaining("redis://127.0.0.1:6379/x");
    assertThatThrownBy(() -> JobStores.open("redis://h:6379/0?bogus=1"))
        .isInstanceOf(StoreException.class)
        .hasMessageContaining("bogus");
    assertThatThrownBy(() -> JobStores.open("redis://:pa ss@h:6379/0"))
        .isInstanceOf(StoreException.class)
        .hasMessageNotContaining("pa ss");
  }

  @Test
  void aPrefixWrittenInAnotherKeyLayoutIsRefused() {
    try (Jedis jedis = RedisTestSupport.connect(RedisTestSupport.baseUrl())) {
      assertThat(jedis.hget(prefix + ":meta", "layout")).isEqualTo("2");
      jedis.hset(prefix + ":meta", "layout", "99");
    }
    assertThatThrownBy(() -> open("prefix=" + prefix))
        .isInstanceOf(StoreException.class)
        .hasMessageContaining("layout 99");
  }

  @Test
  void enqueueRefusesADuplicateIdAndNonPendingJobs() {
    Job job = job("q", T0);
    store.enqueue(job);
    assertThatThrownBy(() -> store.enqueue(job)).isInstanceOf(IllegalArgumentException.class);
    Job done =
        job("q", T0)
            .claimed("w", T0, LEASE)
            .started(T0)
            .finished(JobState.SUCCEEDED, "1", null, T0);
    assertThatThrownBy(() -> store.enqueue(done)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void aPrefixInLayoutOneIsUpgradedInPlaceAndItsJobsStillWork() {
    String old = RedisTestSupport.uniquePrefix();
    try {
      Job job = job("q", T0);
      try (Jedis jedis = RedisTestSupport.connect(RedisTestSupport.baseUrl())) {
        // A running job as layout 1 wrote it: no token, no lost reservations, no history.
        jedis.hset(old + ":meta", "layout", "1");
        Map<String, String> fields = new HashMap<>();
        List<String> flat = JobCodec.fields(job.claimed("w0", T0, LEASE).started(T0));
        for (int i = 0; i < flat.size(); i += 2) {
          fields.put(flat.get(i), flat.get(i + 1));
        }
        fields.remove("tok");
        fields.remove("lost");
        jedis.hset(old + ":job:" + job.id(), fields);
        jedis.zadd(old + ":ids", 0, job.id().toString());
        jedis.zadd(old + ":st:running", 0, job.id().toString());
        jedis.zadd(old + ":running", 0, JobCodec.time(LEASE) + job.id());
        jedis.hset(old + ":counts", "running|q", "1");
        jedis.sadd(old + ":queues", "q");
      }
      JobStore upgraded = open("prefix=" + old);
      try (Jedis jedis = RedisTestSupport.connect(RedisTestSupport.baseUrl())) {
        assertThat(jedis.hget(old + ":meta", "layout")).isEqualTo("2");
      }
      Job running = upgraded.get(job.id()).orElseThrow();
      assertThat(running.leaseToken()).isZero();
      assertThat(running.attempts()).isEqualTo(1);
      Job reaped = upgraded.reapExpiredLeases(LEASE.plusSeconds(1), 10).get(0);
      assertThat(reaped.state()).isEqualTo(JobState.QUEUED);
      assertThat(reaped.history()).hasSize(1);
      Instant t = LEASE.plusSeconds(2);
      Job again =
          upgraded.claim(new ClaimRequest("w1", Set.of(), 1, t, t.plusSeconds(30))).jobs().get(0);
      assertThat(again.leaseToken()).isEqualTo(1);
      assertThat(upgraded.complete(List.of(Completion.succeeded(again.lease(), t, "1")), t))
          .containsExactly(true);
      assertThat(upgraded.get(job.id()).orElseThrow().attempts()).isEqualTo(2);
    } finally {
      RedisTestSupport.deleteKeys(old);
    }
  }
}
