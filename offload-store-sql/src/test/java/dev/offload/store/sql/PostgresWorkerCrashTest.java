package dev.offload.store.sql;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;

@Tag("service")
class PostgresWorkerCrashTest extends WorkerCrashTestBase {
  private String schema;

  @Override
  protected String newStoreUrl() {
    PgTestServer.assumeAvailable();
    schema = PgTestServer.newSchema("crash");
    return PgTestServer.url(schema);
  }

  @AfterEach
  void dropSchema() {
    if (schema != null) {
      PgTestServer.dropSchema(schema);
    }
  }
}
