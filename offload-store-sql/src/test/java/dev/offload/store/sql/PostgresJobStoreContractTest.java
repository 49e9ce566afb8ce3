package dev.offload.store.sql;

import dev.offload.spi.JobStore;
import dev.offload.tck.JobStoreContract;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.InstantSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;

/**
 * PostgreSQL against the full store contract, in a schema of its own migrated once; each test
 * empties the tables and opens a new store on them.
 */
@Tag("service")
class PostgresJobStoreContractTest extends JobStoreContract {
  private static String schema;
  private static String url;

  @BeforeAll
  static void migrateSchema() {
    PgTestServer.assumeAvailable();
    schema = PgTestServer.newSchema("contract");
    url = PgTestServer.url(schema);
    SqlJobStore.open(url).close();
  }

  @AfterAll
  static void dropSchema() {
    if (schema != null) {
      PgTestServer.dropSchema(schema);
    }
  }

  @Override
  protected JobStore createStore(InstantSource clock) throws SQLException {
    try (Connection c = PgTestServer.connect(url);
        Statement s = c.createStatement()) {
      s.execute("TRUNCATE \"" + schema + "\".offload_jobs, \"" + schema + "\".offload_workers");
    }
    return SqlJobStore.open(url);
  }

  @Override
  protected JobStore openSecondInstance(InstantSource clock) {
    return SqlJobStore.open(url);
  }
}
