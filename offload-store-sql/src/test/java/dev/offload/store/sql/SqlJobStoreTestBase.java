package dev.offload.store.sql;

import static dev.offload.store.sql.Jobs.job;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.offload.Job;
import dev.offload.JobAttempt;
import dev.offload.JobError;
import dev.offload.JobId;
import dev.offload.JobState;
import dev.offload.JobStateConflictException;
import dev.offload.Lease;
import dev.offload.spi.ClaimRequest;
import dev.offload.spi.Completion;
import dev.offload.spi.EnqueueResult;
import dev.offload.spi.Heartbeat;
import dev.offload.store.sql.internal.Dialect;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
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
  void enqueueOfAnExistingIdFails() {
    Job j = job().at(T0);
    store.enqueue(j);
    assertThatThrownBy(() -> store.enqueue(j)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void twoCompletionsOfOneJobInABatchApplyInOrder() {
    Job j = job().at(T0);
    store.enqueue(j);
    Job claimed = store.claim(claimAll("w", 1, T0)).jobs().getFirst();
    List<Boolean> applied =
        store.complete(
            List.of(
                Completion.succeeded(claimed.lease(), T0, "\"first\""),
                Completion.succeeded(claimed.lease(), T0, "\"second\"")),
            T0);
    assertThat(applied).containsExactly(true, false);
    Job done = store.get(j.id()).orElseThrow();
    assertThat(done.result()).isEqualTo("\"first\"");
    assertThat(done.attempts()).isEqualTo(1);
    assertThat(done.history()).hasSize(1);
  }

  @Test
  void batchesLargerThanOneStatementKeepEveryAnswer() {
    int n = 1_234;
    List<Job> jobs = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      jobs.add(job().key(i % 617 == 5 ? "dup" : "k" + i).at(T0.plusNanos(i)));
    }
    List<EnqueueResult> results = store.enqueueAll(jobs);
    assertThat(results.stream().filter(EnqueueResult::created).count()).isEqualTo(n - 1);
    assertThat(results.get(622).job()).isEqualTo(jobs.get(5));

    Instant now = T0.plusSeconds(1);
    List<Job> running = store.claim(claimAll("w", 2_000, now)).jobs();
    assertThat(running).hasSize(n - 1);
    List<Completion> completions = new ArrayList<>();
    for (Job r : running) {
      completions.add(Completion.succeeded(r.lease(), now, "{\"id\": \"" + r.id() + "\"}"));
    }
    Job stale = running.get(700);
    completions.add(
        Completion.succeeded(new Lease(stale.id(), stale.leaseToken() + 1, "w"), now, "\"stale\""));
    List<Boolean> applied = store.complete(completions.reversed(), now);
    assertThat(applied.getFirst()).isFalse();
    assertThat(applied.subList(1, applied.size())).hasSize(n - 1).containsOnly(true);
    assertThat(store.get(stale.id()).orElseThrow().result())
        .isEqualTo("{\"id\": \"" + stale.id() + "\"}");
    assertThat(store.counts().total(JobState.SUCCEEDED)).isEqualTo(n - 1);

    assertThat(store.purge(now.plusSeconds(1), 1_100)).isEqualTo(1_100);
    assertThat(store.purge(now.plusSeconds(1), 1_100)).isEqualTo(n - 1 - 1_100);
  }

  @Test
  void reapingTakesAtMostItsLimitOfStartedJobsOldestLeaseFirst() {
    int n = 1_100;
    List<Job> jobs = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      jobs.add(job().at(T0));
    }
    store.enqueueAll(jobs);
    List<Job> claimed = store.claim(claimAll("w", n, T0)).jobs();
    // All started; the last 100 renewed a nanosecond later than the first 1,000.
    List<Heartbeat> early = new ArrayList<>();
    List<Heartbeat> late = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      (i < 1_000 ? early : late).add(new Heartbeat(claimed.get(i).lease(), null, T0));
    }
    assertThat(store.heartbeat(early, T0.plus(LEASE), T0)).isEmpty();
    assertThat(store.heartbeat(late, T0.plus(LEASE).plusNanos(1), T0)).isEmpty();
    Instant later = T0.plus(LEASE).plusMillis(1);
    List<Job> first = store.reapExpiredLeases(later, 1_000);
    assertThat(first)
        .extracting(Job::id)
        .containsExactlyInAnyOrderElementsOf(early.stream().map(h -> h.lease().jobId()).toList());
    assertThat(first)
        .allSatisfy(j -> {
          assertThat(j.state()).isEqualTo(JobState.QUEUED);
          assertThat(j.attempts()).isEqualTo(1);
          assertThat(j.leaseOwner()).isNull();
          assertThat(j.history())
              .singleElement()
              .satisfies(a -> assertThat(a.outcome()).isEqualTo(JobAttempt.LEASE_EXPIRED));
        });
    assertThat(store.get(first.get(17).id())).contains(first.get(17));
    assertThat(store.reapExpiredLeases(later, 1_000)).hasSize(n - 1_000);
    assertThat(store.reapExpiredLeases(later, 1_000)).isEmpty();
    assertThat(store.counts().total(JobState.QUEUED)).isEqualTo(n);
  }

  @Test
  void aLapsedReservationIsTakenOverByTheNextClaimNotReaped() {
    Job low = job().priority(0).at(T0);
    Job high = job().priority(5).at(T0.plusNanos(1));
    store.enqueueAll(List.of(low, high));
    Job reserved = store.claim(claimAll("w1", 1, T0)).jobs().getFirst();
    assertThat(reserved.id()).isEqualTo(high.id());
    assertThat(reserved.state()).isEqualTo(JobState.QUEUED);
    assertThat(reserved.leaseToken()).isEqualTo(1);

    Instant later = T0.plus(LEASE).plusMillis(1);
    assertThat(store.reapExpiredLeases(later, 100)).isEmpty();
    // The lapsed claim comes first again in claim order, ahead of the unclaimed lower priority.
    List<Job> taken = store.claim(claimAll("w2", 1, later)).jobs();
    assertThat(taken)
        .singleElement()
        .satisfies(j -> {
          assertThat(j.id()).isEqualTo(high.id());
          assertThat(j.leaseOwner()).isEqualTo("w2");
          assertThat(j.leaseToken()).isEqualTo(2);
          assertThat(j.lostReservations()).isEqualTo(1);
          assertThat(j.attempts()).isZero();
        });
    // The first worker's lease is gone: its start, renewal and completion are all refused.
    assertThat(store.heartbeat(List.of(new Heartbeat(reserved.lease(), null, later)), later, later))
        .containsExactly(reserved.lease());
    assertThat(store.complete(List.of(Completion.succeeded(reserved.lease(), later, "1")), later))
        .containsExactly(false);
    assertThat(store.get(high.id())).contains(taken.getFirst());
  }

  @Test
  void historyKeepsEveryChargedAttemptAndASuccessClearsTheError() {
    Job j = job().maxAttempts(5).at(T0);
    store.enqueue(j);
    JobError boom = new JobError(JobError.EXCEPTION, "boom \"quoted\" ✓", "at line 1\nat line 2");
    Instant t = T0;
    // 1: started by a heartbeat, then retried.
    Job c1 = store.claim(claimAll("w1", 1, t)).jobs().getFirst();
    Instant s1 = t.plusNanos(11);
    assertThat(store.heartbeat(List.of(new Heartbeat(c1.lease(), null, s1)), t.plus(LEASE), t))
        .isEmpty();
    assertThat(store.get(j.id()).orElseThrow().state()).isEqualTo(JobState.RUNNING);
    Instant e1 = t.plusMillis(1);
    store.complete(List.of(Completion.retry(c1.lease(), s1, boom, e1)), e1);
    // 2: a claim handed back unstarted charges nothing.
    t = e1;
    Job c2 = store.claim(claimAll("w2", 1, t)).jobs().getFirst();
    store.complete(List.of(Completion.release(c2.lease())), t);
    // 3: started and failed in one completion, without an error of its own.
    Job c3 = store.claim(claimAll("w3", 1, t)).jobs().getFirst();
    Instant s3 = t.plusNanos(33);
    Instant e3 = t.plusMillis(2);
    store.complete(List.of(Completion.retry(c3.lease(), s3, null, e3)), e3);
    // 4: started, released (refunded), then 5: succeeded.
    t = e3;
    Job c4 = store.claim(claimAll("w4", 1, t)).jobs().getFirst();
    store.heartbeat(List.of(new Heartbeat(c4.lease(), null, t)), t.plus(LEASE), t);
    assertThat(store.get(j.id()).orElseThrow().attempts()).isEqualTo(3);
    store.complete(List.of(Completion.release(c4.lease())), t);
    Job afterRelease = store.get(j.id()).orElseThrow();
    assertThat(afterRelease.attempts()).isEqualTo(2);
    assertThat(afterRelease.state()).isEqualTo(JobState.QUEUED);
    Job c5 = store.claim(claimAll("w5", 1, t)).jobs().getFirst();
    Instant s5 = t.plusNanos(55);
    Instant e5 = t.plusMillis(3);
    assertThat(store.complete(List.of(Completion.succeeded(c5.lease(), s5, "{\"ok\":true}")), e5))
        .containsExactly(true);

    Job done = store.get(j.id()).orElseThrow();
    assertThat(done.state()).isEqualTo(JobState.SUCCEEDED);
    assertThat(done.error()).isNull();
    assertThat(done.attempts()).isEqualTo(3);
    assertThat(done.leaseToken()).isEqualTo(5);
    assertThat(done.history())
        .containsExactly(
            new JobAttempt(1, "w1", s1, e1, JobAttempt.FAILED, boom),
            new JobAttempt(2, "w3", s3, e3, JobAttempt.FAILED, null),
            new JobAttempt(3, "w5", s5, e5, JobAttempt.SUCCEEDED, null));
    // What the store wrote in SQL is what the core's transitions make of the same steps.
    assertThat(done).isEqualTo(replay(j, s1, e1, boom, s3, e3, t, s5, e5));
  }

  /** The steps of the test above through the core's Job transitions alone. */
  private static Job replay(
      Job j,
      Instant s1,
      Instant e1,
      JobError boom,
      Instant s3,
      Instant e3,
      Instant t4,
      Instant s5,
      Instant e5) {
    Job x = j.claimed("w1", T0, T0.plus(LEASE)).started(s1).renewed(T0.plus(LEASE), null);
    x = Completion.retry(x.lease(), s1, boom, e1).applyTo(x, e1);
    x = x.claimed("w2", e1, e1.plus(LEASE));
    x = Completion.release(x.lease()).applyTo(x, e1);
    x = x.claimed("w3", e1, e1.plus(LEASE));
    x = Completion.retry(x.lease(), s3, null, e3).applyTo(x, e3);
    x = x.claimed("w4", t4, t4.plus(LEASE)).started(t4).renewed(t4.plus(LEASE), null);
    x = Completion.release(x.lease()).applyTo(x, t4);
    x = x.claimed("w5", t4, t4.plus(LEASE));
    return Completion.succeeded(x.lease(), s5, "{\"ok\":true}").applyTo(x, e5);
  }

  @Test
  void aCancelledRunningJobRecordsItsAttemptAndARequeueKeepsTheHistory() {
    Job j = job().at(T0);
    store.enqueue(j);
    Job c = store.claim(claimAll("w", 1, T0)).jobs().getFirst();
    store.heartbeat(List.of(new Heartbeat(c.lease(), null, T0)), T0.plus(LEASE), T0);
    Instant later = T0.plusSeconds(1);
    Job cancelled = store.cancel(j.id(), later).orElseThrow();
    Job expected = c.started(T0).renewed(T0.plus(LEASE), null).cancelled(later);
    assertThat(cancelled).isEqualTo(expected);
    assertThat(store.get(j.id())).contains(expected);
    assertThat(store.heartbeat(List.of(Heartbeat.of(c.lease())), later, later))
        .containsExactly(c.lease());
    Job requeued = store.requeue(j.id(), later).orElseThrow();
    assertThat(requeued).isEqualTo(expected.requeued(later));
    assertThat(store.get(j.id())).contains(requeued);
  }

  @Test
  void aClaimedJobCannotBeDeleted() {
    Job j = job().at(T0);
    store.enqueue(j);
    store.claim(claimAll("w", 1, T0));
    assertThatThrownBy(() -> store.delete(j.id())).isInstanceOf(JobStateConflictException.class);
    store.cancel(j.id(), T0);
    assertThat(store.delete(j.id())).isTrue();
  }

  @Test
  void migrateOnACurrentSchemaAppliesNothing() {
    SqlJobStore.Migration m = SqlJobStore.migrate(url);
    assertThat(m.version()).isEqualTo(Dialect.LATEST_SCHEMA_VERSION);
    assertThat(m.applied()).isZero();
    assertThat(m.store()).isEqualTo(store.url());
  }

  @Test
  void closedStoreRefusesWork() {
    store.close();
    assertThat(store.isHealthy()).isFalse();
    assertThatThrownBy(() -> store.get(JobId.newId(T0))).isInstanceOf(IllegalStateException.class);
    store = null;
  }
}
