package dev.offload.store.sql;

import static dev.offload.store.sql.Jobs.job;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.offload.StoreException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A writer waits for another connection's (process's) write lock, up to the busy timeout. */
class SqliteLockWaitTest {
  @TempDir Path dir;

  @Test
  void aWriterGetsTheLockPromptlyOnceItIsFreeAndGivesUpAfterTheBusyTimeout() throws Exception {
    Path file = dir.resolve("locked.db");
    try (SqlJobStore store = SqlJobStore.open("sqlite:" + file + "?busyTimeoutMs=1500");
        Connection other = DriverManager.getConnection("jdbc:sqlite:" + file);
        Statement s = other.createStatement()) {
      s.execute("BEGIN IMMEDIATE"); // another process holds the write lock
      CompletableFuture<Boolean> enqueued =
          CompletableFuture.supplyAsync(() -> store.enqueue(job().at(Instant.now())).created());
      await()
          .during(Duration.ofMillis(300))
          .atMost(Duration.ofSeconds(1))
          .until(() -> !enqueued.isDone());
      long released = System.nanoTime();
      s.execute("COMMIT");
      assertThat(enqueued.get(5, TimeUnit.SECONDS)).isTrue();
      assertThat(Duration.ofNanos(System.nanoTime() - released))
          .as("the waiting writer goes on once the lock is released")
          .isLessThan(Duration.ofMillis(200));

      s.execute("BEGIN IMMEDIATE");
      long start = System.nanoTime();
      assertThatThrownBy(() -> store.enqueue(job().at(Instant.now())))
          .isInstanceOf(StoreException.class)
          .hasMessageContaining("SQLITE_BUSY");
      assertThat(Duration.ofNanos(System.nanoTime() - start))
          .isBetween(Duration.ofMillis(1_400), Duration.ofSeconds(5));
      s.execute("ROLLBACK");
    }
  }
}
