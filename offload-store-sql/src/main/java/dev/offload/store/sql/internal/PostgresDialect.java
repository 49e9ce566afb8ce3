package dev.offload.store.sql.internal;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.offload.JobId;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.Lock;

/**
 * PostgreSQL: rows locked with {@code FOR UPDATE SKIP LOCKED} so concurrent claimers never wait on
 * each other, and {@code LISTEN/NOTIFY} so idle workers sleep until work is announced. The
 * notification is sent inside the enqueuing transaction, so it is delivered only if that
 * transaction commits (which is what makes transactional enqueue wake workers correctly).
 */
final class PostgresDialect extends Dialect {
  private static final Lock NO_LOCK = new NoLock();

  private final String schemaPrefix;
  private final String channel;

  PostgresDialect(StoreUrl url) {
    super(url);
    this.schemaPrefix = "\"" + url.schema() + "\".";
    String name = "offload_work_" + url.schema();
    this.channel = name.length() > 63 ? name.substring(0, 63) : name;
  }

  @Override
  public Kind kind() {
    return Kind.POSTGRESQL;
  }

  /** The NOTIFY channel of this schema's store. */
  String channel() {
    return channel;
  }

  @Override
  public HikariDataSource openPool() {
    HikariConfig hikari = new HikariConfig();
    hikari.setPoolName("offload-postgresql");
    hikari.setJdbcUrl(url.jdbcUrl());
    hikari.setUsername(url.user());
    hikari.setPassword(url.password());
    hikari.setMaximumPoolSize(url.poolSize());
    hikari.setMinimumIdle(Math.min(2, url.poolSize()));
    hikari.setConnectionTimeout(5_000);
    hikari.setValidationTimeout(2_000);
    // One attempt at start: an unreachable server fails open() after the connect timeout.
    hikari.setInitializationFailTimeout(1);
    hikari.addDataSourceProperty("ApplicationName", "offload");
    hikari.addDataSourceProperty("tcpKeepAlive", "true");
    return new HikariDataSource(hikari);
  }

  @Override
  public void migrate(HikariDataSource pool) {
    // Flyway takes a PostgreSQL advisory lock, so concurrent starts migrate once.
    Migrations.migrate(this, pool);
  }

  @Override
  public String table(String table) {
    return schemaPrefix + table;
  }

  @Override
  public void bindId(PreparedStatement ps, int index, JobId id) throws SQLException {
    ps.setObject(index, id.value());
  }

  @Override
  public JobId readId(ResultSet rs, int index) throws SQLException {
    return new JobId(rs.getObject(index, UUID.class));
  }

  @Override
  public String lockClause() {
    return " FOR UPDATE SKIP LOCKED";
  }

  @Override
  public Lock writeLock() {
    return NO_LOCK;
  }

  @Override
  public void begin(Connection c) throws SQLException {
    c.setAutoCommit(false);
  }

  @Override
  public void commit(Connection c) throws SQLException {
    c.commit();
    c.setAutoCommit(true);
  }

  @Override
  public void rollback(Connection c) throws SQLException {
    if (!c.getAutoCommit()) {
      c.rollback();
      c.setAutoCommit(true);
    }
  }

  @Override
  public void announceWork(Connection c) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT pg_notify(?, '')")) {
      ps.setString(1, channel);
      ps.execute();
    }
  }

  @Override
  public AutoCloseable watch(WorkSignal signal) {
    return PgListener.start(url, channel, signal);
  }

  @Override
  public boolean isRetryable(SQLException e) {
    String state = e.getSQLState();
    return "40P01".equals(state) || "40001".equals(state); // deadlock, serialization failure
  }

  /** A lock that is always free. */
  private static final class NoLock implements Lock {
    @Override
    public void lock() {}

    @Override
    public void lockInterruptibly() {}

    @Override
    public boolean tryLock() {
      return true;
    }

    @Override
    public boolean tryLock(long time, TimeUnit unit) {
      return true;
    }

    @Override
    public void unlock() {}

    @Override
    public Condition newCondition() {
      throw new UnsupportedOperationException();
    }
  }
}
