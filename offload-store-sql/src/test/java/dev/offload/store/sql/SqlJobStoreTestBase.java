package dev.offload.store.sql;

import static dev.offload.store.sql.Jobs.job;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.offload.Job;
import dev.offload.JobId;
import dev.offload.JobState;
import dev.offload.spi.ClaimRequest;
import dev.offload.spi.Completion;
import dev.offload.spi.EnqueueResult;
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
    Job running = store.claim(claimAll("w", 1, T0)).getFirst();
    List<Boolean> applied =
        store.complete(
            List.of(
                Completion.succeeded(running.lease(), "\"first\""),
                Completion.succeeded(running.lease(), "\"second\"")),
            T0);
    assertThat(applied).containsExactly(true, false);
    assertThat(store.get(j.id()).orElseThrow().result()).isEqualTo("\"first\"");
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
    List<Job> running = store.claim(claimAll("w", 2_000, now));
    assertThat(running).hasSize(n - 1);
    List<Completion> completions = new ArrayList<>();
    for (Job r : running) {
      completions.add(Completion.succeeded(r.lease(), "{\"id\": \"" + r.id() + "\"}"));
    }
    Job stale = running.get(700);
    completions.add(
        Completion.succeeded(
            new dev.offload.Lease(stale.id(), stale.attempts() + 1, "w"), "\"stale\""));
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
  void reapingReturnsEveryExpiredLeaseWhateverTheirNumber() {
    int n = 1_100;
    List<Job> jobs = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      jobs.add(job().at(T0));
    }
    store.enqueueAll(jobs);
    store.claim(claimAll("w", n, T0));
    List<Job> reaped = store.reapExpiredLeases(T0.plus(LEASE).plusMillis(1));
    assertThat(reaped).hasSize(n).allSatisfy(j -> assertThat(j.state()).isEqualTo(JobState.QUEUED));
    assertThat(store.counts().total(JobState.QUEUED)).isEqualTo(n);
  }

  @Test
  void migrateOnACurrentSchemaAppliesNothing() {
    SqlJobStore.Migration m = SqlJobStore.migrate(url);
    assertThat(m.version()).isEqualTo("1");
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
