package dev.offload.store.sql;

import dev.offload.tck.cluster.ClusterContract;

/** Three worker JVMs drain 10,000 jobs from one SQLite file, one of them killed mid-run. */
class SqliteClusterTest extends ClusterContract {
  @Override
  protected String storeUrl() {
    return "sqlite:" + dir.resolve("cluster.db");
  }
}
