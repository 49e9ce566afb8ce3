package dev.offload.store.sql.internal;

import com.zaxxer.hikari.HikariDataSource;
import dev.offload.StoreException;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.concurrent.locks.Lock;

/**
 * Runs units of SQL work on pooled connections: reads in auto-commit, writes in one transaction
 * each (behind the dialect's write lock), retried a few times on transient conflicts. Turns every
 * {@link SQLException} into a {@link StoreException} naming the store and the operation; other
 * exceptions (state conflicts) pass through after rolling back.
 */
public final class Db {
  private static final int ATTEMPTS = 5;

  private final Dialect dialect;
  private final HikariDataSource pool;

  public Db(Dialect dialect, HikariDataSource pool) {
    this.dialect = dialect;
    this.pool = pool;
  }

  /** A unit of work on one connection. */
  @FunctionalInterface
  public interface Work<T> {
    T run(Connection c) throws SQLException;
  }

  /** Runs {@code work} in auto-commit mode, without the write lock. */
  public <T> T read(String op, Work<T> work) {
    try (Connection c = pool.getConnection()) {
      return work.run(c);
    } catch (SQLException e) {
      throw failure(op, e);
    }
  }

  /** Runs {@code work} as one transaction. */
  public <T> T transaction(String op, Work<T> work) {
    return write(op, work, true);
  }

  /** Runs a single-statement {@code work} in auto-commit mode behind the write lock. */
  public <T> T statement(String op, Work<T> work) {
    return write(op, work, false);
  }

  private <T> T write(String op, Work<T> work, boolean transaction) {
    Lock lock = dialect.writeLock();
    for (int attempt = 1; ; attempt++) {
      lock.lock();
      try (Connection c = pool.getConnection()) {
        return transaction ? inTransaction(c, work) : work.run(c);
      } catch (SQLException e) {
        if (attempt < ATTEMPTS && dialect.isRetryable(e)) {
          continue;
        }
        throw failure(op, e);
      } finally {
        lock.unlock();
      }
    }
  }

  private <T> T inTransaction(Connection c, Work<T> work) throws SQLException {
    dialect.begin(c);
    try {
      T result = work.run(c);
      dialect.commit(c);
      return result;
    } catch (SQLException | RuntimeException | Error e) {
      try {
        dialect.rollback(c);
      } catch (SQLException rollbackFailed) {
        // A connection that may still be inside a transaction must never return to the pool.
        e.addSuppressed(rollbackFailed);
        pool.evictConnection(c);
      }
      throw e;
    }
  }

  /** The exception reported for a failed {@code op}. */
  public StoreException failure(String op, SQLException e) {
    return new StoreException(
        "store '" + dialect.url().display() + "': " + op + " failed: " + e.getMessage(), e);
  }
}
