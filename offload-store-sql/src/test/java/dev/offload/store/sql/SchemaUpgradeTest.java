package dev.offload.store.sql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.offload.Job;
import dev.offload.JobError;
import dev.offload.JobId;
import dev.offload.JobQuery;
import dev.offload.JobState;
import dev.offload.Lease;
import dev.offload.spi.ClaimRequest;
import dev.offload.spi.Completion;
import dev.offload.spi.Heartbeat;
import dev.offload.store.sql.internal.Dialect;
import dev.offload.store.sql.internal.Migrations;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A store created by the first release (schema version 1) with jobs in every state is opened by
 * this one: the V2 migration keeps every row, a running job's attempt number becomes its fencing
 * token so the worker holding it keeps its lease, and the new rules hold afterwards.
 */
class SchemaUpgradeTest {
  private static final long NOW = 1_780_000_000_000_000_000L; // epoch ns, 2026
  private static final long SEC = 1_000_000_000L;

  @TempDir Path dir;

  @Test
  void aVersion1SqliteFileIsRebuiltKeepingEveryJob() throws Exception {
    Path file = dir.resolve("v1.db");
    String url = "sqlite:" + file;
    Flyway v1 =
        Flyway.configure()
            .dataSource("jdbc:sqlite:" + file, null, null)
            .locations("classpath:dev/offload/store/sql/migration/sqlite")
            .table(Migrations.HISTORY_TABLE)
            .target("1")
            .load();
    v1.migrate();
    List<String> ids;
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file)) {
      ids = insertV1Jobs(c, false);
    }
    upgradeAndCheck(url, ids);
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file);
        Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery(
                "SELECT name FROM sqlite_master WHERE tbl_name = 'offload_jobs'"
                    + " AND type = 'index' AND name LIKE 'offload_jobs_%' ORDER BY name")) {
      List<String> indexes = new ArrayList<>();
      while (rs.next()) {
        indexes.add(rs.getString(1));
      }
      assertThat(indexes)
          .containsExactly(
              "offload_jobs_claim",
              "offload_jobs_claim_queue",
              "offload_jobs_finished",
              "offload_jobs_idempotency",
              "offload_jobs_lease");
    }
  }

  @Test
  @Tag("service")
  void aVersion1PostgresSchemaIsMigratedKeepingEveryJob() throws Exception {
    PgTestServer.assumeAvailable();
    String schema = PgTestServer.newSchema("upgrade");
    String url = PgTestServer.url(schema);
    try {
      var parsed = dev.offload.store.sql.internal.StoreUrl.parse(url);
      Flyway.configure()
          .dataSource(parsed.jdbcUrl(), parsed.user(), parsed.password())
          .locations("classpath:dev/offload/store/sql/migration/postgresql")
          .table(Migrations.HISTORY_TABLE)
          .schemas(schema)
          .defaultSchema(schema)
          .createSchemas(true)
          .target("1")
          .load()
          .migrate();
      List<String> ids;
      try (Connection c = PgTestServer.connect(url)) {
        ids = insertV1Jobs(c, true);
      }
      upgradeAndCheck(url, ids);
    } finally {
      PgTestServer.dropSchema(schema);
    }
  }

  /**
   * One job per state, as version 1 wrote them; returns their ids in the order scheduled, queued,
   * running, succeeded, failed, cancelled.
   */
  private static List<String> insertV1Jobs(Connection c, boolean pg) throws SQLException {
    String insert =
        "INSERT INTO offload_jobs (id, task, queue, state, priority, input, result, error_type,"
            + " error_message, error_detail, progress_fraction, progress_message, attempts,"
            + " max_attempts, backoff_initial_ns, backoff_max_ns, timeout_ns, idempotency_key,"
            + " run_at, started_at, finished_at, lease_owner, lease_expires_at, created_at)"
            + " VALUES ("
            + (pg ? "?::uuid" : "?")
            + ", 'echo', 'default', ?, 0, '{}', ?, ?, ?, NULL, ?, NULL, ?, 3, 250000000,"
            + " 10000000000, NULL, ?, ?, ?, ?, ?, ?, ?)";
    List<String> ids = new ArrayList<>();
    try (PreparedStatement ps = c.prepareStatement(insert)) {
      Object[][] rows = {
        // state, result, error type, error message, progress, attempts, key, run at, started at,
        // finished at, lease owner, lease expires at
        {
          "scheduled",
          null,
          "exception",
          "boom",
          null,
          1,
          null,
          NOW + 60 * SEC,
          null,
          null,
          null,
          null
        },
        {"queued", null, null, null, null, 0, "order-7", NOW - SEC, null, null, null, null},
        {
          "running",
          null,
          null,
          null,
          0.5,
          2,
          null,
          NOW - 5 * SEC,
          NOW - 2 * SEC,
          null,
          "old-w",
          NOW + 30 * SEC
        },
        {
          "succeeded",
          "{\"ok\":true}",
          null,
          null,
          null,
          1,
          null,
          NOW - 9 * SEC,
          NOW - 8 * SEC,
          NOW - 7 * SEC,
          null,
          null
        },
        {
          "failed",
          null,
          "lease-expired",
          "gone",
          null,
          3,
          null,
          NOW - 9 * SEC,
          NOW - 8 * SEC,
          NOW - 7 * SEC,
          null,
          null
        },
        {
          "cancelled",
          null,
          "cancelled",
          "cancelled",
          null,
          0,
          null,
          NOW - 9 * SEC,
          null,
          NOW - 7 * SEC,
          null,
          null
        },
      };
      for (Object[] r : rows) {
        String id = JobId.newId(Instant.ofEpochSecond(0, NOW)).toString();
        ids.add(id);
        int i = 1;
        ps.setString(i++, id);
        for (Object v : r) {
          ps.setObject(i++, v);
        }
        ps.setLong(i, NOW - 10 * SEC); // created_at, last in the column list
        ps.addBatch();
      }
      ps.executeBatch();
    }
    return ids;
  }

  private static void upgradeAndCheck(String url, List<String> ids) {
    Instant now = Instant.ofEpochSecond(0, NOW);
    try (SqlJobStore store = SqlJobStore.open(url)) {
      assertThat(SqlJobStore.migrate(url).version()).isEqualTo(Dialect.LATEST_SCHEMA_VERSION);
      Map<JobState, Long> totals = store.counts().totals();
      assertThat(totals)
          .containsOnly(
              Map.entry(JobState.SCHEDULED, 1L),
              Map.entry(JobState.QUEUED, 1L),
              Map.entry(JobState.RUNNING, 1L),
              Map.entry(JobState.SUCCEEDED, 1L),
              Map.entry(JobState.FAILED, 1L),
              Map.entry(JobState.CANCELLED, 1L));
      List<Job> all = store.list(JobQuery.all().limit(100)).items();
      assertThat(all).hasSize(6);
      assertThat(all)
          .allSatisfy(j -> {
            assertThat(j.history()).isEmpty();
            assertThat(j.lostReservations()).isZero();
          });

      Job scheduled = job(store, ids.get(0));
      assertThat(scheduled.state()).isEqualTo(JobState.SCHEDULED);
      assertThat(scheduled.error()).isEqualTo(new JobError("exception", "boom", null));
      assertThat(scheduled.leaseToken()).isZero();
      Job queued = job(store, ids.get(1));
      assertThat(queued.idempotencyKey()).isEqualTo("order-7");
      Job running = job(store, ids.get(2));
      assertThat(running.state()).isEqualTo(JobState.RUNNING);
      assertThat(running.attempts()).isEqualTo(2);
      assertThat(running.leaseToken()).as("the attempt number becomes the token").isEqualTo(2);
      assertThat(running.progress().fraction()).isEqualTo(0.5);
      Job succeeded = job(store, ids.get(3));
      assertThat(succeeded.result()).isEqualTo("{\"ok\":true}");
      assertThat(succeeded.leaseToken()).isZero();
      assertThat(job(store, ids.get(4)).attempts()).isEqualTo(3);
      assertThat(job(store, ids.get(5)).state()).isEqualTo(JobState.CANCELLED);

      // The worker that held the running job before the upgrade still holds it.
      Lease held = new Lease(running.id(), 2, "old-w");
      assertThat(store.heartbeat(List.of(Heartbeat.of(held)), now.plusSeconds(30), now)).isEmpty();
      assertThat(
              store.heartbeat(
                  List.of(Heartbeat.of(new Lease(running.id(), 1, "old-w"))),
                  now.plusSeconds(30),
                  now))
          .hasSize(1);
      assertThat(
              store.complete(
                  List.of(Completion.succeeded(held, running.startedAt(), "\"done\"")), now))
          .containsExactly(true);
      Job done = job(store, ids.get(2));
      assertThat(done.state()).isEqualTo(JobState.SUCCEEDED);
      assertThat(done.attempts()).isEqualTo(2);
      assertThat(done.history())
          .singleElement()
          .satisfies(a -> {
            assertThat(a.attempt()).isEqualTo(2);
            assertThat(a.worker()).isEqualTo("old-w");
            assertThat(a.startedAt()).isEqualTo(running.startedAt());
          });

      // The queued job is claimed under the new rules: still queued, token 1, nothing charged.
      Job claimed =
          store
              .claim(new ClaimRequest("new-w", Set.of(), 5, now, now.plus(Duration.ofSeconds(30))))
              .jobs()
              .getFirst();
      assertThat(claimed.id()).isEqualTo(queued.id());
      assertThat(claimed.state()).isEqualTo(JobState.QUEUED);
      assertThat(claimed.leaseToken()).isEqualTo(1);
      assertThat(claimed.attempts()).isZero();
      assertThatThrownBy(() -> store.delete(claimed.id()))
          .isInstanceOf(dev.offload.JobStateConflictException.class);
    }
  }

  private static Job job(SqlJobStore store, String id) {
    return store.get(new JobId(UUID.fromString(id))).orElseThrow();
  }
}
