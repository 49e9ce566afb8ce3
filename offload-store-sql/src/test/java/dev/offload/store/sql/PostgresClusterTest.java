package dev.offload.store.sql;

import dev.offload.tck.cluster.ClusterContract;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;

/** Three worker JVMs drain 10,000 jobs from one PostgreSQL schema, one of them killed mid-run. */
@Tag("service")
class PostgresClusterTest extends ClusterContract {
  private String schema;

  @Override
  protected String storeUrl() {
    PgTestServer.assumeAvailable();
    schema = PgTestServer.newSchema("cluster");
    return PgTestServer.url(schema);
  }

  @AfterEach
  void dropSchema() {
    if (schema != null) {
      PgTestServer.dropSchema(schema);
    }
  }
}
