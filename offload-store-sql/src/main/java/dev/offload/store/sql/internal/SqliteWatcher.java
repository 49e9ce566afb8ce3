package dev.offload.store.sql.internal;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sqlite.SQLiteConfig;

/**
 * Wakes this process's idle workers when another process sharing the SQLite file makes work ready.
 *
 * <p>SQLite has no notifications between processes. While some thread waits for work, this thread
 * polls {@code PRAGMA data_version} (a read of shared memory, no disk access) every {@value
 * #POLL_MILLIS} ms; only when it changed does it read the {@code offload_signal} row, so commits
 * that bring no work (heartbeats, completions) wake nobody. With no waiter it polls nothing.
 */
final class SqliteWatcher implements AutoCloseable {
  static final long POLL_MILLIS = 2;
  private static final Logger LOG = LoggerFactory.getLogger(SqliteWatcher.class);

  private final StoreUrl url;
  private final SQLiteConfig config;
  private final WorkSignal signal;
  private final Thread thread;
  private volatile boolean closed;

  private SqliteWatcher(StoreUrl url, SQLiteConfig config, WorkSignal signal) {
    this.url = url;
    this.config = config;
    this.signal = signal;
    this.thread = Thread.ofPlatform().daemon().name("offload-sqlite-watch").unstarted(this::run);
  }

  static SqliteWatcher start(StoreUrl url, SQLiteConfig config, WorkSignal signal) {
    SqliteWatcher watcher = new SqliteWatcher(url, config, signal);
    watcher.thread.start();
    return watcher;
  }

  private void run() {
    while (!closed) {
      try (Connection c = config.createConnection(url.jdbcUrl());
          PreparedStatement version = c.prepareStatement("PRAGMA data_version");
          PreparedStatement seq = c.prepareStatement("SELECT seq FROM offload_signal")) {
        long lastVersion = -1;
        long lastSeq = readLong(seq);
        while (!closed) {
          if (!signal.awaitWaiter(Duration.ofSeconds(1))) {
            continue;
          }
          long v = readLong(version);
          if (v != lastVersion) {
            lastVersion = v;
            long s = readLong(seq);
            if (s != lastSeq) {
              lastSeq = s;
              signal.signal();
            }
          }
          Thread.sleep(POLL_MILLIS);
        }
      } catch (InterruptedException e) {
        return;
      } catch (SQLException | RuntimeException e) {
        if (closed) {
          return;
        }
        LOG.warn("offload: watching {} for new work failed; retrying in 1 s", url.display(), e);
        signal.signal(); // let waiters fall back to polling the store
        try {
          Thread.sleep(1_000);
        } catch (InterruptedException ie) {
          return;
        }
      }
    }
  }

  private static long readLong(PreparedStatement ps) throws SQLException {
    try (ResultSet rs = ps.executeQuery()) {
      return rs.next() ? rs.getLong(1) : 0;
    }
  }

  @Override
  public void close() {
    closed = true;
    thread.interrupt();
    try {
      thread.join(2_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
