package dev.offload.store.sql.internal;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import org.sqlite.BusyHandler;

/**
 * How a SQLite connection waits for another process's write lock. SQLite's own handler sleeps in
 * growing steps (1, 2, 5, … up to 100 ms), so a writer often sleeps long after the lock came free;
 * between processes sharing one file that idles every worker. This one retries every 0.5 ms (after
 * a few quicker tries) until the busy timeout, trading a little CPU while waiting for prompt
 * hand-over.
 */
final class SqliteBusyWait extends BusyHandler {
  private static final long QUICK_PAUSE_NANOS = 50_000;
  private static final long PAUSE_NANOS = 500_000;

  private final long timeoutNanos;
  private long waitingSince;

  private SqliteBusyWait(Duration timeout) {
    this.timeoutNanos = timeout.toNanos();
  }

  /** Installs the handler on {@code c} (one per connection: a connection waits on one thread). */
  static void install(Connection c, Duration timeout) throws SQLException {
    BusyHandler.setHandler(c, new SqliteBusyWait(timeout));
  }

  @Override
  protected int callback(int previousCalls) {
    long now = System.nanoTime();
    if (previousCalls == 0) {
      waitingSince = now;
    } else if (now - waitingSince >= timeoutNanos) {
      return 0; // give up: the statement fails with SQLITE_BUSY
    }
    LockSupport.parkNanos(previousCalls < 10 ? QUICK_PAUSE_NANOS : PAUSE_NANOS);
    return 1;
  }
}
