package dev.offload.store.sql;

import dev.offload.spi.JobStore;
import dev.offload.tck.JobStoreContract;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.InstantSource;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

/**
 * SQLite against the full store contract. Each test opens a copy of one migrated template file, so
 * it starts empty without paying for a migration.
 */
class SqliteJobStoreContractTest extends JobStoreContract {
  @TempDir static Path dir;
  private static Path template;
  private static final AtomicInteger COUNTER = new AtomicInteger();
  private String url;

  @BeforeAll
  static void migrateTemplate() {
    template = dir.resolve("template.db");
    SqlJobStore.open("sqlite:" + template).close();
  }

  @Override
  protected JobStore createStore(InstantSource clock) throws IOException {
    Path file = dir.resolve("store-" + COUNTER.incrementAndGet() + ".db");
    Files.copy(template, file);
    url = "sqlite:" + file;
    return SqlJobStore.open(url);
  }

  @Override
  protected JobStore openSecondInstance(InstantSource clock) {
    return SqlJobStore.open(url);
  }
}
