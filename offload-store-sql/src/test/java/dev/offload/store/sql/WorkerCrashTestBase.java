package dev.offload.store.sql;

import static dev.offload.store.sql.Jobs.job;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.awaitility.Awaitility.await;

import dev.offload.Job;
import dev.offload.JobAttempt;
import dev.offload.JobId;
import dev.offload.JobState;
import dev.offload.Lease;
import dev.offload.spi.Completion;
import dev.offload.spi.Heartbeat;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A worker process is killed with SIGKILL in the middle of a job; another worker process runs the
 * job again once the lease lapsed, and the killed run's late write is rejected.
 */
abstract class WorkerCrashTestBase {
  static final Duration LEASE = Duration.ofSeconds(2);

  /** A URL naming a fresh, empty store that other processes can open. */
  protected abstract String newStoreUrl() throws Exception;

  @Test
  void aKilledWorkersJobIsRunAgainByAnotherWorkerAndItsLateWriteIsRejected() throws Exception {
    String url = newStoreUrl();
    try (SqlJobStore store = SqlJobStore.open(url);
        WorkerJvm holder = WorkerJvm.start(StoreWorkerMain.class, "hold", url, ms(LEASE))) {
      holder.awaitLine("ready", Duration.ofSeconds(30));
      Job submitted = job().maxAttempts(3).at(Instant.now());
      store.enqueue(submitted);
      String[] claimed = holder.awaitLine("claimed", Duration.ofSeconds(10)).split(" ");
      Lease killedLease =
          new Lease(JobId.parse(claimed[1]), Long.parseLong(claimed[2]), claimed[3]);
      assertThat(killedLease.jobId()).isEqualTo(submitted.id());
      assertThat(killedLease.token()).isEqualTo(1);
      try (WorkerJvm other = WorkerJvm.start(StoreWorkerMain.class, "drain", url, ms(LEASE), "1")) {
        other.awaitLine("ready", Duration.ofSeconds(30));
        awaitRerun(store, holder, other, submitted, killedLease);
      }
    }
  }

  private void awaitRerun(
      SqlJobStore store, WorkerJvm holder, WorkerJvm other, Job submitted, Lease killedLease)
      throws Exception {
    // While the holder lives it renews its lease: the other worker may not take the job.
    await()
        .during(LEASE.plusMillis(500))
        .atMost(LEASE.plusSeconds(2))
        .untilAsserted(() -> {
          Job now = store.get(submitted.id()).orElseThrow();
          assertThat(now.state()).isEqualTo(JobState.RUNNING);
          assertThat(now.attempts()).isEqualTo(1);
        });

    holder.kill();
    long killedAt = System.nanoTime();
    String[] completed = other.awaitLine("completed", Duration.ofSeconds(15)).split(" ");
    Duration rerunAfter = Duration.ofNanos(System.nanoTime() - killedAt);
    assertThat(completed[1]).isEqualTo(submitted.id().toString());
    assertThat(completed[2]).isEqualTo("2");
    assertThat(rerunAfter).isLessThan(LEASE.plusSeconds(6));
    assertThat(other.waitFor(Duration.ofSeconds(10))).isTrue();

    Job done = store.get(submitted.id()).orElseThrow();
    assertThat(done.state()).isEqualTo(JobState.SUCCEEDED);
    assertThat(done.attempts()).isEqualTo(2);
    assertThat(done.result()).startsWith("{\"attempt\":2,");
    assertThat(done.history())
        .extracting(JobAttempt::attempt, JobAttempt::worker, JobAttempt::outcome)
        .containsExactly(
            tuple(1, killedLease.owner(), JobAttempt.LEASE_EXPIRED),
            tuple(2, done.history().get(1).worker(), JobAttempt.SUCCEEDED));
    assertThat(done.history().get(1).worker()).startsWith("drain-");

    // The killed run, had it survived, would now report late: every write with its lease fails.
    Instant now = Instant.now();
    assertThat(store.complete(List.of(Completion.succeeded(killedLease, now, "\"zombie\"")), now))
        .containsExactly(false);
    assertThat(store.heartbeat(List.of(Heartbeat.of(killedLease)), now.plus(LEASE), now))
        .containsExactly(killedLease);
    assertThat(store.get(submitted.id())).contains(done);
  }

  private static String ms(Duration d) {
    return Long.toString(d.toMillis());
  }
}
