package dev.offload.store.sql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.offload.Job;
import dev.offload.JobAttempt;
import dev.offload.JobId;
import dev.offload.JobSpec;
import dev.offload.JobState;
import dev.offload.Offload;
import dev.offload.Task;
import dev.offload.TaskRegistry;
import dev.offload.store.sql.internal.JobRows;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Lease renewal cannot be starved (issue 11): a long job runs on a second engine, with a lease of
 * one second, while that engine's store purges a large backlog of finished jobs, or while the store
 * answers every write slowly. A first engine sharing the store reaps lapsed leases and would run
 * the job again the moment its lease lapsed; it never gets the chance: the job succeeds on the
 * second engine after one attempt.
 *
 * <p>Real engines ({@link Offload#builder()} with the store URL), real time. The job holds until
 * the test has seen the purge at work and the lease renewed over several lease periods.
 */
abstract class LeaseRenewalTestBase {
  static final Duration LEASE = Duration.ofSeconds(1);
  static final String QUEUE = "long";
  static final String SECOND = "second-engine";
  static final long HOUR_NANOS = 3_600_000_000_000L;

  /** The job's body waits for this; a fresh latch per test. */
  static volatile CountDownLatch release = new CountDownLatch(1);

  public record Hold(String label) {}

  static final Task<Hold, String> HOLD =
      Task.of(
          "test.hold",
          Hold.class,
          String.class,
          (in, ctx) -> {
            if (!release.await(120, TimeUnit.SECONDS)) {
              throw new IllegalStateException("never released");
            }
            return "held " + in.label();
          });

  /** A URL naming a fresh, empty store that several engines can open. */
  protected abstract String newStoreUrl() throws Exception;

  /**
   * Inserts {@code n} succeeded jobs finished at {@code finishedAtNanos} with one statement (a
   * generated series), straight into the migrated {@code offload_jobs} table.
   */
  protected abstract void insertFinished(Connection c, int n, long finishedAtNanos)
      throws SQLException;

  /** Makes the store answer every write slowly until closed. */
  protected abstract AutoCloseable slowWrites(String url) throws Exception;

  /** A plain connection to the store's database, its tables reachable unqualified. */
  protected abstract Connection connect(String url) throws SQLException;

  @BeforeEach
  void freshLatch() {
    release = new CountDownLatch(1);
  }

  @Test
  void renewalKeepsALongJobAliveWhileItsEnginePurgesAMillionFinishedJobs() throws Exception {
    String url = newStoreUrl();
    int backlog = 1_000_000;
    prepare(url, backlog);
    runLongJob(url, backlog, 30_000);
  }

  @Test
  void renewalKeepsALongJobAliveWhileTheStoreAnswersSlowly() throws Exception {
    String url = newStoreUrl();
    int backlog = 50_000;
    prepare(url, backlog);
    try (AutoCloseable slow = slowWrites(url)) {
      runLongJob(url, backlog, 5_000);
    }
  }

  private void prepare(String url, int backlog) throws SQLException {
    SqlJobStore.open(url).close(); // migrates
    long finishedAt = JobRows.nanos(Instant.now()) - HOUR_NANOS;
    try (Connection c = connect(url)) {
      insertFinished(c, backlog, finishedAt);
    }
    assertThat(finishedJobs(url)).isEqualTo(backlog);
  }

  /**
   * The job runs on the second engine (which purges: retention 4 s) until at least {@code
   * purgedAtLeast} finished jobs are gone and its lease was renewed for five lease periods.
   */
  private void runLongJob(String url, int backlog, int purgedAtLeast) throws Exception {
    TaskRegistry tasks = TaskRegistry.builder().register(HOLD).build();
    try (Offload second = engine(url, tasks, SECOND, Duration.ofSeconds(4))) {
      Job submitted = second.submit(JobSpec.of("test.hold", new Hold("x")).queue(QUEUE));
      JobId id = submitted.id();
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> second.job(id).state() == JobState.RUNNING);
      Job started = second.job(id);
      assertThat(started.leaseOwner()).isEqualTo(SECOND);
      // Now the first engine: it reaps (any instance does) and would claim the job again.
      try (Offload first = engine(url, tasks, "first-engine", Duration.ofDays(1))) {
        await()
            .atMost(Duration.ofSeconds(120))
            .pollInterval(Duration.ofMillis(250))
            .until(() ->
                finishedJobs(url) <= backlog - purgedAtLeast
                    && second
                        .job(id)
                        .leaseExpiresAt()
                        .isAfter(started.startedAt().plus(LEASE.multipliedBy(5))));
        Job alive = first.job(id);
        assertThat(alive.state()).isEqualTo(JobState.RUNNING);
        assertThat(alive.leaseOwner()).isEqualTo(SECOND);
        assertThat(alive.leaseToken()).isEqualTo(started.leaseToken());

        release.countDown();
        await()
            .atMost(Duration.ofSeconds(30))
            .until(() -> first.job(id).state() == JobState.SUCCEEDED);
        Job done = first.job(id);
        assertThat(done.result()).isEqualTo("\"held x\"");
        assertThat(done.attempts()).isEqualTo(1);
        assertThat(done.leaseToken()).isEqualTo(started.leaseToken());
        assertThat(done.lostReservations()).isZero();
        assertThat(done.history())
            .singleElement()
            .satisfies(a -> {
              assertThat(a.attempt()).isEqualTo(1);
              assertThat(a.worker()).isEqualTo(SECOND);
              assertThat(a.outcome()).isEqualTo(JobAttempt.SUCCEEDED);
            });
      }
    } finally {
      release.countDown();
    }
  }

  private static Offload engine(String url, TaskRegistry tasks, String id, Duration retention) {
    return Offload.builder()
        .tasks(tasks)
        .storeUrl(url)
        .workerId(id)
        .queues(Set.of(QUEUE))
        .threads(2)
        .leaseDuration(LEASE)
        .pollInterval(Duration.ofMillis(200))
        .resultRetention(retention)
        .shutdownGrace(Duration.ofMillis(500))
        .build();
  }

  private long finishedJobs(String url) throws SQLException {
    try (Connection c = connect(url);
        PreparedStatement ps =
            c.prepareStatement("SELECT count(*) FROM offload_jobs WHERE state = 'succeeded'");
        ResultSet rs = ps.executeQuery()) {
      rs.next();
      return rs.getLong(1);
    }
  }
}
