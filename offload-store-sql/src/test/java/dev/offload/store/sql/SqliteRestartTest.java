package dev.offload.store.sql;

import static dev.offload.store.sql.Jobs.job;
import static org.assertj.core.api.Assertions.assertThat;

import dev.offload.Job;
import dev.offload.JobQuery;
import dev.offload.JobState;
import dev.offload.spi.ClaimRequest;
import dev.offload.spi.Completion;
import dev.offload.spi.Heartbeat;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The server restarts over a SQLite file (the store is closed and opened again) with jobs queued
 * and running: every job completes once the running ones' leases lapse, each exactly once, and the
 * old runs' writes are rejected. Time is the caller's, so no test time passes waiting for leases.
 */
class SqliteRestartTest {
  static final Instant T0 = Instant.parse("2026-05-01T08:00:00Z");
  static final Duration LEASE = Duration.ofSeconds(10);
  @TempDir Path dir;

  @Test
  void queuedAndRunningJobsAllCompleteAfterARestart() {
    String url = "sqlite:" + dir.resolve("offload.db");
    List<Job> jobs = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      jobs.add(job().at(T0.plusMillis(i)));
    }
    List<Job> running;
    List<Job> reserved;
    try (SqlJobStore before = SqlJobStore.open(url)) {
      before.enqueueAll(jobs);
      Instant t1 = T0.plusSeconds(1);
      List<Job> finished = before.claim(claim("old-worker", 20, t1)).jobs();
      before.complete(
          finished.stream().map(j -> Completion.succeeded(j.lease(), t1, "\"before\"")).toList(),
          T0.plusSeconds(2));
      Instant t2 = T0.plusSeconds(2);
      running = before.claim(claim("old-worker", 10, t2)).jobs();
      before.heartbeat(
          running.stream().map(j -> new Heartbeat(j.lease(), null, t2)).toList(),
          t2.plus(LEASE),
          t2);
      // Prefetched, never started: these come back without an attempt charged.
      reserved = before.claim(claim("old-worker", 5, t2)).jobs();
    } // the server stops here; its worker's jobs are left running or reserved

    try (SqlJobStore after = SqlJobStore.open(url)) {
      Map<JobState, Long> totals = after.counts().totals();
      assertThat(totals.get(JobState.QUEUED)).isEqualTo(70);
      assertThat(totals.get(JobState.RUNNING)).isEqualTo(10);
      assertThat(totals.get(JobState.SUCCEEDED)).isEqualTo(20);

      Instant now = T0.plusSeconds(2).plus(LEASE).plusSeconds(1);
      assertThat(after.reapExpiredLeases(now, 100)).hasSize(10);
      Map<String, Integer> completions = new HashMap<>();
      List<Job> batch;
      while (!(batch = after.claim(claim("new-worker", 16, now)).jobs()).isEmpty()) {
        List<Boolean> ok =
            after.complete(
                batch.stream().map(j -> Completion.succeeded(j.lease(), now, "\"after\"")).toList(),
                now);
        for (int k = 0; k < batch.size(); k++) {
          assertThat(ok.get(k)).isTrue();
          completions.merge(batch.get(k).id().toString(), 1, Integer::sum);
        }
      }
      assertThat(completions).hasSize(80).allSatisfy((id, n) -> assertThat(n).isEqualTo(1));
      List<Job> all = after.list(JobQuery.all().limit(1000)).items();
      assertThat(all)
          .hasSize(100)
          .allSatisfy(j -> assertThat(j.state()).isEqualTo(JobState.SUCCEEDED));
      for (Job old : running) {
        assertThat(after.get(old.id()).orElseThrow().attempts()).isEqualTo(2);
      }
      for (Job old : reserved) {
        Job now2 = after.get(old.id()).orElseThrow();
        assertThat(now2.attempts()).isEqualTo(1);
        assertThat(now2.lostReservations()).isEqualTo(1);
        assertThat(now2.history()).hasSize(1);
      }
      // The old runs, had they outlived the restart, cannot overwrite the new results.
      assertThat(
              after.complete(
                  running.stream()
                      .map(j -> Completion.succeeded(j.lease(), now, "\"stale\""))
                      .toList(),
                  now))
          .containsOnly(false);
      assertThat(after.get(running.getFirst().id()).orElseThrow().result()).isEqualTo("\"after\"");
    }
  }

  private static ClaimRequest claim(String worker, int max, Instant now) {
    return new ClaimRequest(worker, Set.of(), max, now, now.plus(LEASE));
  }
}
