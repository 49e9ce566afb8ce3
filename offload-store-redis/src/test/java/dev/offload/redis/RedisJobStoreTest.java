package dev.offload.redis;

import static dev.offload.redis.RedisTestSupport.job;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.offload.Job;
import dev.offload.JobError;
import dev.offload.JobEvent;
import dev.offload.JobId;
import dev.offload.JobQuery;
import dev.offload.JobState;
import dev.offload.JobStateConflictException;
import dev.offload.JobStores;
import dev.offload.Page;
import dev.offload.Progress;
import dev.offload.StoreException;
import dev.offload.WorkerInfo;
import dev.offload.redis.internal.RedisJobStore;
import dev.offload.spi.ClaimRequest;
import dev.offload.spi.Completion;
import dev.offload.spi.EnqueueResult;
import dev.offload.spi.Heartbeat;
import dev.offload.spi.JobStore;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
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
    return store.claim(new ClaimRequest("w1", Set.of(queues), max, now, now.plusSeconds(30)));
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
        j.leaseExpiresAt());
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
          assertThat(j.state()).isEqualTo(JobState.RUNNING);
          assertThat(j.attempts()).isEqualTo(1);
          assertThat(j.leaseOwner()).isEqualTo("w1");
          assertThat(j.startedAt()).isEqualTo(T0.plusSeconds(1));
          assertThat(j.leaseExpiresAt()).isEqualTo(T0.plusSeconds(31));
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
  void heartbeatRenewsTheLeaseStoresProgressAndReportsLostLeases() {
    Job a = job("q", T0);
    Job b = job("q", T0);
    store.enqueueAll(List.of(a, b));
    List<Job> running = claim(2, T0);
    Job heldA = running.stream().filter(j -> j.id().equals(a.id())).findFirst().orElseThrow();
    Job heldB = running.stream().filter(j -> j.id().equals(b.id())).findFirst().orElseThrow();
    store.cancel(b.id(), T0.plusSeconds(1));
    Set<JobId> lost =
        store.heartbeat(
            List.of(
                new Heartbeat(heldA.lease(), new Progress(0.5, "half")),
                new Heartbeat(heldB.lease(), null)),
            T0.plusSeconds(60),
            T0.plusSeconds(2));
    assertThat(lost).containsExactly(b.id());
    Job renewed = store.get(a.id()).orElseThrow();
    assertThat(renewed.leaseExpiresAt()).isEqualTo(T0.plusSeconds(60));
    assertThat(renewed.progress()).isEqualTo(new Progress(0.5, "half"));
    assertThat(store.reapExpiredLeases(T0.plusSeconds(45))).isEmpty();
  }

  @Test
  void completionsAreFencedByAttemptAndOwner() {
    Job job = job("q", T0);
    store.enqueue(job);
    Job first = claim(1, T0).get(0);
    // The lease lapses, the job is reclaimed: attempt 2 now holds it.
    assertThat(store.reapExpiredLeases(T0.plusSeconds(31))).hasSize(1);
    Job second =
        store
            .claim(new ClaimRequest("w2", Set.of(), 1, T0.plusSeconds(32), T0.plusSeconds(62)))
            .get(0);
    assertThat(second.attempts()).isEqualTo(2);
    List<Boolean> applied =
        store.complete(
            List.of(
                Completion.succeeded(first.lease(), "\"stale\""),
                Completion.succeeded(second.lease(), "\"fresh\"")),
            T0.plusSeconds(40));
    assertThat(applied).containsExactly(false, true);
    Job done = store.get(job.id()).orElseThrow();
    assertThat(done.state()).isEqualTo(JobState.SUCCEEDED);
    assertThat(done.result()).isEqualTo("\"fresh\"");
    assertThat(done.finishedAt()).isEqualTo(T0.plusSeconds(40));
    assertThat(done.leaseOwner()).isNull();
    assertThat(done)
        .isEqualTo(
            Completion.succeeded(second.lease(), "\"fresh\"").applyTo(second, T0.plusSeconds(40)));
    assertThat(store.complete(List.of(Completion.succeeded(second.lease(), "1")), T0))
        .containsExactly(false);
  }

  @Test
  void everyOutcomeMatchesCompletionApplyTo() {
    JobError boom = new JobError(JobError.EXCEPTION, "boom", "trace");
    Instant now = T0.plusSeconds(5);
    List<Job> jobs = List.of(job("q", T0), job("q", T0), job("q", T0), job("q", T0));
    store.enqueueAll(jobs);
    List<Job> running = claim(4, T0);
    List<Completion> completions =
        List.of(
            Completion.succeeded(running.get(0).lease(), "{\"ok\":true}"),
            Completion.failed(running.get(1).lease(), boom),
            Completion.retry(running.get(2).lease(), boom, T0.plusSeconds(60)),
            Completion.release(running.get(3).lease()));
    assertThat(store.complete(completions, now)).containsOnly(true);
    for (int i = 0; i < 4; i++) {
      Job expected = completions.get(i).applyTo(running.get(i), now);
      assertThat(store.get(expected.id())).contains(expected);
    }
    // The released job is due again at once, the retry only at its time.
    assertThat(claim(5, now)).extracting(Job::id).containsExactly(running.get(3).id());
    assertThat(claim(5, T0.plusSeconds(60)))
        .extracting(Job::id)
        .containsExactly(running.get(2).id());
  }

  @Test
  void cancelEndsPendingAndRunningJobsAndLeavesTerminalOnes() {
    Job pending = job("q", 0, T0, T0.plusSeconds(100));
    Job running = job("q", T0);
    store.enqueueAll(List.of(pending, running));
    Job held = claim(1, T0).get(0);
    Job cancelled = store.cancel(pending.id(), T0.plusSeconds(1)).orElseThrow();
    assertThat(cancelled.state()).isEqualTo(JobState.CANCELLED);
    assertThat(cancelled.error().type()).isEqualTo(JobError.CANCELLED);
    assertThat(cancelled.finishedAt()).isEqualTo(T0.plusSeconds(1));
    assertThat(store.cancel(held.id(), T0.plusSeconds(2)).orElseThrow().state())
        .isEqualTo(JobState.CANCELLED);
    assertThat(store.complete(List.of(Completion.succeeded(held.lease(), "1")), T0))
        .containsExactly(false);
    assertThat(store.cancel(held.id(), T0.plusSeconds(9)).orElseThrow().finishedAt())
        .isEqualTo(T0.plusSeconds(2));
    assertThat(store.cancel(JobId.newId(T0), T0)).isEmpty();
    assertThat(claim(5, T0.plusSeconds(1000))).isEmpty();
  }

  @Test
  void requeueTakesBackFailedAndCancelledJobsOnly() {
    Job job = job("q", T0);
    store.enqueue(job);
    assertThatThrownBy(() -> store.requeue(job.id(), T0))
        .isInstanceOf(JobStateConflictException.class);
    Job running = claim(1, T0).get(0);
    store.complete(
        List.of(Completion.failed(running.lease(), new JobError("exception", "x", null))), T0);
    Job failed = store.get(job.id()).orElseThrow();
    Job requeued = store.requeue(job.id(), T0.plusSeconds(3)).orElseThrow();
    assertThat(requeued).isEqualTo(failed.requeued(T0.plusSeconds(3)));
    assertThat(claim(1, T0.plusSeconds(3)).get(0).attempts()).isEqualTo(2);
    assertThat(store.requeue(JobId.newId(T0), T0)).isEmpty();
  }

  @Test
  void deleteRefusesRunningJobs() {
    Job job = job("q", T0);
    store.enqueue(job);
    Job running = claim(1, T0).get(0);
    assertThatThrownBy(() -> store.delete(job.id())).isInstanceOf(JobStateConflictException.class);
    store.complete(List.of(Completion.succeeded(running.lease(), "1")), T0);
    assertThat(store.delete(job.id())).isTrue();
    assertThat(store.delete(job.id())).isFalse();
    assertThat(store.get(job.id())).isEmpty();
    assertThat(store.counts().byQueue()).isEmpty();
  }

  @Test
  void reapRequeuesWhileAttemptsRemainThenFails() {
    Job job = withKeyAndAttempts(job("q", T0), null, 2);
    store.enqueue(job);
    claim(1, T0);
    assertThat(store.reapExpiredLeases(LEASE)).isEmpty(); // expired strictly before now only
    List<Job> reaped = store.reapExpiredLeases(LEASE.plusNanos(1));
    assertThat(reaped).hasSize(1);
    assertThat(reaped.get(0).state()).isEqualTo(JobState.QUEUED);
    assertThat(reaped.get(0).error().type()).isEqualTo(JobError.LEASE_EXPIRED);
    Instant t1 = T0.plusSeconds(100);
    claim(1, t1);
    Job failed = store.reapExpiredLeases(t1.plusSeconds(31)).get(0);
    assertThat(failed.state()).isEqualTo(JobState.FAILED);
    assertThat(failed.attempts()).isEqualTo(2);
    assertThat(store.get(job.id())).contains(failed);
  }

  @Test
  void listPagesNewestFirstWithFilters() {
    List<Job> jobs = new ArrayList<>();
    for (int i = 0; i < 25; i++) {
      jobs.add(job(i % 2 == 0 ? "even" : "odd", T0.plusMillis(i)));
    }
    store.enqueueAll(jobs);
    List<Job> running = claim(3, T0.plusSeconds(1), "even");
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
    Job running = claim(1, T0, "a").get(0);
    assertThat(store.counts().byQueue())
        .isEqualTo(
            java.util.Map.of(
                "a", java.util.Map.of(JobState.QUEUED, 1L, JobState.RUNNING, 1L),
                "b", java.util.Map.of(JobState.SCHEDULED, 1L)));
    store.complete(List.of(Completion.succeeded(running.lease(), "1")), T0);
    assertThat(store.counts().total(JobState.SUCCEEDED)).isEqualTo(1);
    assertThat(store.counts().total(JobState.RUNNING)).isZero();
  }

  @Test
  void purgeDeletesFinishedJobsBeforeTheCutoff() {
    List<Job> jobs = List.of(job("q", T0), job("q", T0), job("q", T0));
    store.enqueueAll(jobs);
    List<Job> running = claim(3, T0);
    store.complete(List.of(Completion.succeeded(running.get(0).lease(), "1")), T0.plusSeconds(1));
    store.complete(List.of(Completion.succeeded(running.get(1).lease(), "1")), T0.plusSeconds(2));
    assertThat(store.purge(T0.plusSeconds(2), 10)).isEqualTo(1);
    assertThat(store.get(running.get(0).id())).isEmpty();
    assertThat(store.get(running.get(1).id())).isPresent();
    assertThat(store.purge(T0.plusSeconds(3), 10)).isEqualTo(1);
    assertThat(store.get(running.get(2).id())).isPresent();
  }

  @Test
  void finishedHistoryIsCapped() {
    JobStore capped = open("prefix=" + prefix + "&maxFinished=5");
    List<Job> jobs = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      jobs.add(job("q", T0));
    }
    capped.enqueueAll(jobs);
    List<Job> running = capped.claim(new ClaimRequest("w", Set.of(), 12, T0, LEASE));
    for (int i = 0; i < running.size(); i++) {
      capped.complete(
          List.of(Completion.succeeded(running.get(i).lease(), "1")), T0.plusSeconds(i));
    }
    assertThat(capped.counts().total(JobState.SUCCEEDED)).isEqualTo(5);
    assertThat(capped.get(running.get(11).id())).isPresent();
    assertThat(capped.get(running.get(6).id())).isEmpty();
  }

  @Test
  void prefixesKeepInstallationsApart() {
    String other = RedisTestSupport.uniquePrefix();
    try {
      JobStore second = open("prefix=" + other);
      store.enqueue(job("q", T0));
      assertThat(second.claim(new ClaimRequest("w", Set.of(), 5, T0, LEASE))).isEmpty();
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
                woke.set(store.awaitWork(Set.of("wanted"), Duration.ofSeconds(20)));
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
    assertThat(store.awaitWork(Set.of(), Duration.ofMillis(50))).isFalse();
  }

  @Test
  void awaitWorkReturnsAtOnceWhenWorkArrivedSinceTheLastClaim() throws Exception {
    JobStore producer = open("prefix=" + prefix);
    assertThat(claim(1, T0)).isEmpty(); // this thread's wait now counts from here
    Thread witness =
        Thread.ofPlatform()
            .start(() -> {
              try {
                store.awaitWork(Set.of("q"), Duration.ofSeconds(20));
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            });
    await().until(() -> witness.getState() == Thread.State.TIMED_WAITING);
    producer.enqueue(job("q", T0));
    witness.join(5000); // once the witness woke, the store has seen the wake-up
    assertThat(witness.isAlive()).isFalse();
    long start = System.nanoTime();
    assertThat(store.awaitWork(Set.of("q"), Duration.ofSeconds(10))).isTrue();
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(1));
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
                woke.set(other.awaitWork(Set.of("retries"), Duration.ofSeconds(20)));
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
                running.lease(), new JobError("exception", "x", null), T0.plusMillis(300))),
        T0);
    waiter.join(10_000);
    Duration took = Duration.ofNanos(System.nanoTime() - start);
    assertThat(woke).isTrue();
    assertThat(took).isBetween(Duration.ofMillis(250), Duration.ofSeconds(5));
    assertThat(
            other.claim(
                new ClaimRequest("w2", Set.of(), 1, T0.plusMillis(300), T0.plusSeconds(60))))
        .extracting(Job::attempts)
        .containsExactly(2);
  }

  @Test
  void eventsFromOtherProcessesReachSubscribers() throws Exception {
    JobStore other = open("prefix=" + prefix);
    List<JobEvent> events = new CopyOnWriteArrayList<>();
    try (AutoCloseable sub = store.subscribe(events::add)) {
      await().until(() -> subscribedToEvents());
      Job job = job("q", T0);
      other.enqueue(job);
      Job running = other.claim(new ClaimRequest("w", Set.of(), 1, T0, LEASE)).get(0);
      other.heartbeat(List.of(new Heartbeat(running.lease(), new Progress(0.25, null))), LEASE, T0);
      other.complete(List.of(Completion.succeeded(running.lease(), "1")), T0.plusSeconds(1));
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
      assertThat(jedis.hget(prefix + ":meta", "layout")).isEqualTo("1");
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
    assertThatThrownBy(() -> store.enqueue(job.claimed("w", T0, LEASE)))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
