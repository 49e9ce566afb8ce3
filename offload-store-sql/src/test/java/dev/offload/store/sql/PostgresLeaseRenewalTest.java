package dev.offload.store.sql;

import dev.offload.store.sql.internal.JobRows;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;

/**
 * {@link LeaseRenewalTestBase} on PostgreSQL, in a schema of its own. Slow answers come from the
 * server: a statement trigger makes every UPDATE and DELETE of the jobs table (claims, heartbeats,
 * completions, purges) wait 250 ms in {@code pg_sleep}.
 */
@Tag("service")
class PostgresLeaseRenewalTest extends LeaseRenewalTestBase {
  private String schema;

  @Override
  protected String newStoreUrl() {
    PgTestServer.assumeAvailable();
    schema = PgTestServer.newSchema("renewal");
    return PgTestServer.url(schema);
  }

  @AfterEach
  void dropSchema() {
    if (schema != null) {
      PgTestServer.dropSchema(schema);
    }
  }

  @Override
  protected Connection connect(String url) throws SQLException {
    return PgTestServer.connect(url);
  }

  @Override
  protected void insertFinished(Connection c, int n, long finishedAtNanos) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "INSERT INTO offload_jobs ("
                + JobRows.COLUMNS
                + ") SELECT gen_random_uuid(), 'noop', 'default', 'succeeded', 0, '{}', 'null',"
                + " NULL, NULL, NULL, NULL, NULL, 1, 3, 1000000000, 300000000000, NULL, NULL,"
                + " ?, ?, ?, ?, NULL, NULL, 1, 0, NULL FROM generate_series(1, ?)")) {
      for (int i = 1; i <= 4; i++) {
        ps.setLong(i, finishedAtNanos);
      }
      ps.setInt(5, n);
      ps.executeUpdate();
    }
    try (Statement s = c.createStatement()) {
      s.execute("ANALYZE offload_jobs");
    }
  }

  @Override
  protected AutoCloseable slowWrites(String url) throws SQLException {
    String q = "\"" + schema + "\".";
    try (Connection c = connect(url);
        Statement s = c.createStatement()) {
      s.execute(
          "CREATE FUNCTION "
              + q
              + "offload_slow() RETURNS trigger LANGUAGE plpgsql AS"
              + " $$ BEGIN PERFORM pg_sleep(0.25); RETURN NULL; END $$");
      s.execute(
          "CREATE TRIGGER offload_slow BEFORE UPDATE OR DELETE ON "
              + q
              + "offload_jobs FOR EACH STATEMENT EXECUTE FUNCTION "
              + q
              + "offload_slow()");
    }
    return () -> {
      try (Connection c = connect(url);
          Statement s = c.createStatement()) {
        s.execute("DROP TRIGGER offload_slow ON " + q + "offload_jobs");
      }
    };
  }
}
