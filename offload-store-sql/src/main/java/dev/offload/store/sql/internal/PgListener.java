package dev.offload.store.sql.internal;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Holds one connection that {@code LISTEN}s on the store's channel and turns each notification into
 * a {@link WorkSignal} wake-up. The connection is its own, outside the pool, because it must stay
 * open and idle.
 *
 * <p>If the server goes away (restart, failover) the listener reconnects every second and, until it
 * is back, wakes waiters once a second so workers poll the store instead of sleeping on a dead
 * channel; after reconnecting it wakes them once more for anything announced meanwhile.
 */
final class PgListener implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(PgListener.class);
  private static final int WAIT_MILLIS = 500;

  private final StoreUrl url;
  private final String channel;
  private final WorkSignal signal;
  private final Thread thread;
  private volatile boolean closed;

  private PgListener(StoreUrl url, String channel, WorkSignal signal) {
    this.url = url;
    this.channel = channel;
    this.signal = signal;
    this.thread = Thread.ofPlatform().daemon().name("offload-pg-listen").unstarted(this::run);
  }

  static PgListener start(StoreUrl url, String channel, WorkSignal signal) {
    PgListener listener = new PgListener(url, channel, signal);
    listener.thread.start();
    return listener;
  }

  private void run() {
    boolean reconnecting = false;
    while (!closed) {
      try (Connection c = connect()) {
        try (Statement s = c.createStatement()) {
          s.execute("LISTEN \"" + channel + "\"");
        }
        if (reconnecting) {
          LOG.info("offload: listening on {} again", url.display());
          signal.signal();
          reconnecting = false;
        }
        PGConnection pg = c.unwrap(PGConnection.class);
        while (!closed) {
          PGNotification[] notes = pg.getNotifications(WAIT_MILLIS);
          if (notes != null && notes.length > 0) {
            signal.signal();
          }
        }
      } catch (SQLException | RuntimeException e) {
        if (closed) {
          return;
        }
        if (!reconnecting) {
          LOG.warn("offload: lost the notification channel of {}; reconnecting", url.display(), e);
          reconnecting = true;
        }
        signal.signal();
        try {
          Thread.sleep(1_000);
        } catch (InterruptedException ie) {
          return;
        }
      }
    }
  }

  private Connection connect() throws SQLException {
    Properties props = new Properties();
    if (url.user() != null) {
      props.setProperty("user", url.user());
    }
    if (url.password() != null) {
      props.setProperty("password", url.password());
    }
    props.setProperty("ApplicationName", "offload-listen");
    props.setProperty("tcpKeepAlive", "true");
    return DriverManager.getConnection(url.jdbcUrl(), props);
  }

  /**
   * Stops listening. Does not wait: the thread notices within {@value #WAIT_MILLIS} ms and closes
   * its connection itself (pgjdbc serializes a close behind the pending wait anyway).
   */
  @Override
  public void close() {
    closed = true;
  }
}
