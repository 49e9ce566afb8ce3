package dev.offload.store.sql;

import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

class SqliteWorkerCrashTest extends WorkerCrashTestBase {
  @TempDir Path dir;

  @Override
  protected String newStoreUrl() {
    return "sqlite:" + dir.resolve("crash.db");
  }
}
