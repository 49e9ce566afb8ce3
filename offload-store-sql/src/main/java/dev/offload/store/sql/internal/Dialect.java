package dev.offload.store.sql.internal;

import com.zaxxer.hikari.HikariDataSource;
import dev.offload.JobId;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.concurrent.locks.Lock;

/**
 * What differs between SQLite and PostgreSQL, and nothing else: connection set-up, migrations, how
 * ids are bound, how transactions start, how rows are locked for a claim, and how idle workers are
 * woken. The SQL itself lives in {@link JobSql}, shared by both.
 */
public abstract sealed class Dialect permits SqliteDialect, PostgresDialect {

  /** The supported databases. */
  public enum Kind {
    SQLITE("sqlite"),
    POSTGRESQL("postgresql");

    private final String folder;

    Kind(String folder) {
      this.folder = folder;
    }

    /** The migration folder under {@code dev/offload/store/sql/migration}. */
    public String folder() {
      return folder;
    }
  }

  /** The highest migration version shipped, per dialect; a test keeps it in step. */
  public static final String LATEST_SCHEMA_VERSION = "2";

  /** The dialect for a parsed URL. */
  public static Dialect of(StoreUrl url) {
    return switch (url.dialect()) {
      case SQLITE -> new SqliteDialect(url);
      case POSTGRESQL -> new PostgresDialect(url);
    };
  }

  protected final StoreUrl url;

  Dialect(StoreUrl url) {
    this.url = url;
  }

  public abstract Kind kind();

  public StoreUrl url() {
    return url;
  }

  /** A pool of connections; fails fast (seconds) when the database cannot be reached. */
  public abstract HikariDataSource openPool();

  /** Brings the schema to the latest version (Flyway), safely when several processes start. */
  public abstract void migrate(HikariDataSource pool);

  /** {@code table} as named in SQL (schema-qualified on PostgreSQL). */
  public abstract String table(String table);

  public abstract void bindId(PreparedStatement ps, int index, JobId id) throws SQLException;

  public abstract JobId readId(ResultSet rs, int index) throws SQLException;

  /** Appended to the claim and reap sub-selects: {@code FOR UPDATE SKIP LOCKED} or nothing. */
  public abstract String lockClause();

  /**
   * Held around every write in this process. SQLite has one writer at a time per file; queueing
   * writers on a Java lock keeps them off SQLite's sleep-and-retry busy handler. PostgreSQL locks
   * rows itself, so its lock does nothing.
   */
  public abstract Lock writeLock();

  /** Starts a write transaction on {@code c} (SQLite: {@code BEGIN IMMEDIATE}). */
  public abstract void begin(Connection c) throws SQLException;

  public abstract void commit(Connection c) throws SQLException;

  public abstract void rollback(Connection c) throws SQLException;

  /**
   * Within the caller's transaction: tells idle workers of every process that work may be ready,
   * once that transaction commits.
   */
  public abstract void announceWork(Connection c) throws SQLException;

  /** Starts what wakes {@code signal} when another process announces work. */
  public abstract AutoCloseable watch(WorkSignal signal);

  /** Whether the failure is a transient conflict worth retrying the transaction for. */
  public abstract boolean isRetryable(SQLException e);
}
