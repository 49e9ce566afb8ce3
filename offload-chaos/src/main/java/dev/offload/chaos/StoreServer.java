package dev.offload.chaos;

import java.nio.file.Path;

/**
 * The store a chaos run uses, with a server of the run's own where the store has one, so the run
 * can restart it without touching the machine's shared servers.
 */
interface StoreServer extends AutoCloseable {
  /** The store URL workers and the harness open. */
  String url();

  /**
   * Restarts the server the way a crash would (no clean shutdown) and waits until it answers;
   * {@code false} when the store has no server to restart (SQLite).
   */
  boolean restart() throws Exception;

  /** Stops the server; its data stays in the run directory for a look afterwards. */
  @Override
  void close() throws Exception;

  /**
   * Starts the store {@code kind} ({@code sqlite}, {@code postgresql}, {@code redis}) in {@code
   * dir}.
   */
  static StoreServer start(String kind, Path dir) throws Exception {
    return switch (kind) {
      case "sqlite" -> new SqliteFile(dir);
      case "postgresql" -> PostgresServer.start(dir);
      case "redis" -> RedisServer.start(dir);
      default ->
          throw new IllegalArgumentException(
              "unknown store '" + kind + "'; use sqlite, postgresql or redis");
    };
  }

  /** SQLite: a file the workers share; nothing to restart. */
  record SqliteFile(Path dir) implements StoreServer {
    @Override
    public String url() {
      return "sqlite:" + dir.resolve("chaos.db").toAbsolutePath();
    }

    @Override
    public boolean restart() {
      return false;
    }

    @Override
    public void close() {}
  }
}
