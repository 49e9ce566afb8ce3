package dev.offload.store.sql.internal;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.offload.JobId;
import dev.offload.StoreException;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantLock;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteDataSource;
import org.sqlite.SQLiteErrorCode;

/**
 * SQLite: one file in WAL mode, shared by the processes of one machine.
 *
 * <p>Durability: {@code synchronous=NORMAL} in WAL mode fsyncs at checkpoints, not at every commit;
 * a committed transaction survives a process crash, and a power loss can lose at most the last
 * commits before the checkpoint, never corrupt the file. Writers take {@code BEGIN IMMEDIATE} so a
 * transaction never fails half-way on a lock upgrade; writers of this process queue on a Java lock,
 * writers of other processes wait in SQLite's busy handler up to the busy timeout.
 */
final class SqliteDialect extends Dialect {
  private final ReentrantLock writeLock = new ReentrantLock(true);

  SqliteDialect(StoreUrl url) {
    super(url);
  }

  @Override
  public Kind kind() {
    return Kind.SQLITE;
  }

  @Override
  public HikariDataSource openPool() {
    Path file = url.file();
    try {
      Files.createDirectories(file.getParent());
    } catch (IOException e) {
      throw new StoreException(
          "cannot open store '" + url.display() + "': cannot create directory " + file.getParent(),
          e);
    }
    SQLiteDataSource sqlite = new SQLiteDataSource(config());
    sqlite.setUrl(url.jdbcUrl());
    HikariConfig hikari = new HikariConfig();
    hikari.setPoolName("offload-sqlite");
    hikari.setDataSource(sqlite);
    hikari.setMaximumPoolSize(url.poolSize());
    hikari.setMinimumIdle(1);
    hikari.setConnectionTimeout(url.busyTimeout().toMillis() + 5_000);
    hikari.setInitializationFailTimeout(1);
    return new HikariDataSource(hikari);
  }

  SQLiteConfig config() {
    SQLiteConfig config = new SQLiteConfig();
    config.setJournalMode(SQLiteConfig.JournalMode.WAL);
    config.setSynchronous(SQLiteConfig.SynchronousMode.NORMAL);
    config.setBusyTimeout((int) Math.min(Integer.MAX_VALUE, url.busyTimeout().toMillis()));
    config.setTempStore(SQLiteConfig.TempStore.MEMORY);
    config.setCacheSize(-16_000); // KiB: 16 MB page cache per connection
    return config;
  }

  @Override
  public void migrate(HikariDataSource pool) {
    // Flyway is not safe against another process migrating the same file at the same moment:
    // serialize migrations of one file across processes with a lock file beside it.
    Path lockFile = url.file().resolveSibling(url.file().getFileName() + ".migrate-lock");
    // A file lock is held per JVM, not per thread: stores of one JVM take turns first.
    synchronized (SqliteDialect.class) {
      try (FileChannel channel =
              FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
          FileLock ignored = channel.lock()) {
        Migrations.migrate(this, pool);
      } catch (IOException e) {
        throw new StoreException(
            "cannot migrate store '" + url.display() + "': cannot lock " + lockFile, e);
      }
    }
  }

  @Override
  public String table(String table) {
    return table;
  }

  @Override
  public void bindId(PreparedStatement ps, int index, JobId id) throws SQLException {
    ps.setString(index, id.value().toString());
  }

  @Override
  public JobId readId(ResultSet rs, int index) throws SQLException {
    return new JobId(UUID.fromString(rs.getString(index)));
  }

  @Override
  public String lockClause() {
    return "";
  }

  @Override
  public Lock writeLock() {
    return writeLock;
  }

  @Override
  public void begin(Connection c) throws SQLException {
    try (Statement s = c.createStatement()) {
      s.execute("BEGIN IMMEDIATE");
    }
  }

  @Override
  public void commit(Connection c) throws SQLException {
    try (Statement s = c.createStatement()) {
      s.execute("COMMIT");
    }
  }

  @Override
  public void rollback(Connection c) throws SQLException {
    if (!c.getAutoCommit()) {
      c.rollback();
      return;
    }
    try (Statement s = c.createStatement()) {
      s.execute("ROLLBACK");
    } catch (SQLException e) {
      // "no transaction is active": the failed statement already ended it.
    }
  }

  @Override
  public void announceWork(Connection c) throws SQLException {
    try (Statement s = c.createStatement()) {
      s.executeUpdate("UPDATE offload_signal SET seq = seq + 1 WHERE id = 1");
    }
  }

  @Override
  public AutoCloseable watch(WorkSignal signal) {
    return SqliteWatcher.start(url, config(), signal);
  }

  @Override
  public boolean isRetryable(SQLException e) {
    // BUSY_SNAPSHOT cannot be waited out by the busy handler but succeeds on a fresh transaction.
    return e.getErrorCode() == SQLiteErrorCode.SQLITE_BUSY.code
        && e.getMessage() != null
        && e.getMessage().contains("SQLITE_BUSY_SNAPSHOT");
  }
}
