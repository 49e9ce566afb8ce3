package dev.offload.store.sql;

import static org.junit.jupiter.api.Assertions.fail;

import dev.offload.store.sql.internal.StoreUrl;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Properties;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.Assumptions;

/**
 * The machine's PostgreSQL for tests: {@code OFFLOAD_TEST_PG_URL}, else {@code
 * postgresql://postgres@127.0.0.1:5432/test}. Each test gets its own schema, so tests never see
 * each other's jobs. Unreachable: tests are skipped, except under {@code CI=true}, where they fail.
 */
public final class PgTestServer {
  public static final String BASE_URL =
      System.getenv()
          .getOrDefault("OFFLOAD_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/test");
  private static Boolean reachable;

  private PgTestServer() {}

  /** Skips (or under CI fails) the calling test when PostgreSQL does not answer. */
  public static synchronized void assumeAvailable() {
    if (reachable == null) {
      try (Connection c = connect(BASE_URL)) {
        reachable = c.isValid(2);
      } catch (SQLException e) {
        reachable = false;
      }
    }
    if (!reachable) {
      String why = "PostgreSQL at " + StoreUrl.parse(BASE_URL).display() + " is not reachable";
      if ("true".equalsIgnoreCase(System.getenv("CI"))) {
        fail(why + " (CI=true: tests that need it fail instead of being skipped)");
      }
      Assumptions.abort(why + "; set OFFLOAD_TEST_PG_URL to run these tests");
    }
  }

  /** A fresh schema name (not yet created: opening a store creates it). */
  public static String newSchema(String prefix) {
    byte[] random = new byte[5];
    ThreadLocalRandom.current().nextBytes(random);
    return ("offload_t_" + prefix + "_" + HexFormat.of().formatHex(random))
        .toLowerCase(Locale.ROOT);
  }

  /** The store URL of {@code schema} on the test server. */
  public static String url(String schema) {
    return BASE_URL + (BASE_URL.contains("?") ? "&" : "?") + "currentSchema=" + schema;
  }

  public static void dropSchema(String schema) {
    try (Connection c = connect(BASE_URL);
        Statement s = c.createStatement()) {
      s.execute("DROP SCHEMA IF EXISTS \"" + schema + "\" CASCADE");
    } catch (SQLException e) {
      throw new IllegalStateException("cannot drop test schema " + schema, e);
    }
  }

  /** A plain JDBC connection to the database of {@code storeUrl}. */
  public static Connection connect(String storeUrl) throws SQLException {
    StoreUrl url = StoreUrl.parse(storeUrl);
    Properties props = new Properties();
    if (url.user() != null) {
      props.setProperty("user", url.user());
    }
    if (url.password() != null) {
      props.setProperty("password", url.password());
    }
    return DriverManager.getConnection(url.jdbcUrl(), props);
  }
}
