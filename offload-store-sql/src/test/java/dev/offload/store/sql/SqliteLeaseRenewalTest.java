package dev.offload.store.sql;

import dev.offload.store.sql.internal.JobRows;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link LeaseRenewalTestBase} on SQLite. Slow answers come from another connection (as another
 * process would) holding the file's write lock for 200 ms at a time, so every write of the engines
 * waits for it.
 */
class SqliteLeaseRenewalTest extends LeaseRenewalTestBase {
  @TempDir Path dir;

  @Override
  protected String newStoreUrl() {
    return "sqlite:" + dir.resolve("renewal.db");
  }

  @Override
  protected Connection connect(String url) throws SQLException {
    return DriverManager.getConnection("jdbc:" + url);
  }

  @Override
  protected void insertFinished(Connection c, int n, long finishedAtNanos) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "INSERT INTO offload_jobs ("
                + JobRows.COLUMNS
                + ") WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < ?)"
                + " SELECT printf('00000000-0000-7000-8000-%012d', x), 'noop', 'default',"
                + " 'succeeded', 0, '{}', 'null', NULL, NULL, NULL, NULL, NULL, 1, 3, 1000000000,"
                + " 300000000000, NULL, NULL, ?, ?, ?, ?, NULL, NULL, 1, 0, NULL FROM n")) {
      ps.setInt(1, n);
      for (int i = 2; i <= 5; i++) {
        ps.setLong(i, finishedAtNanos);
      }
      ps.executeUpdate();
    }
  }

  @Override
  protected AutoCloseable slowWrites(String url) throws Exception {
    Connection c = DriverManager.getConnection("jdbc:" + url);
    Statement s = c.createStatement();
    Thread holder =
        Thread.ofPlatform()
            .daemon()
            .name("sqlite-lock-holder")
            .start(() -> {
              try {
                while (!Thread.currentThread().isInterrupted()) {
                  s.execute("BEGIN IMMEDIATE");
                  Thread.sleep(200); // another process's long write transaction
                  s.execute("COMMIT");
                  Thread.sleep(30);
                }
              } catch (InterruptedException | SQLException e) {
                // stopped
              }
            });
    return () -> {
      holder.interrupt();
      holder.join(5_000);
      try {
        s.execute("ROLLBACK");
      } catch (SQLException e) {
        // no transaction open
      }
      c.close();
    };
  }
}
