package dev.offload.store.sql;

import com.zaxxer.hikari.HikariDataSource;
import dev.offload.Job;
import dev.offload.JobCounts;
import dev.offload.JobId;
import dev.offload.JobQuery;
import dev.offload.JobState;
import dev.offload.Lease;
import dev.offload.Page;
import dev.offload.StoreException;
import dev.offload.WorkerInfo;
import dev.offload.spi.ClaimRequest;
import dev.offload.spi.ClaimResult;
import dev.offload.spi.Completion;
import dev.offload.spi.EnqueueResult;
import dev.offload.spi.Heartbeat;
import dev.offload.spi.JobStore;
import dev.offload.store.sql.internal.Db;
import dev.offload.store.sql.internal.Dialect;
import dev.offload.store.sql.internal.JobOps;
import dev.offload.store.sql.internal.Migrations;
import dev.offload.store.sql.internal.StoreUrl;
import dev.offload.store.sql.internal.WorkSignal;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The durable job store on SQL: SQLite (one file, the embedded default) or PostgreSQL (many
 * processes on many machines), chosen by the store URL.
 *
 * <pre>{@code
 * try (SqlJobStore store = SqlJobStore.open("sqlite:./offload-data/offload.db")) { ... }
 * JobStore shared = JobStores.open("postgresql://offload:secret@db:5432/app");
 *
 * // Transactional enqueue: the job exists only if the caller's transaction commits.
 * try (Connection c = appDataSource.getConnection()) {
 *   c.setAutoCommit(false);
 *   insertOrder(c, order);
 *   store.enqueue(c, job);
 *   c.commit();
 * }
 * }</pre>
 *
 * <p>Opening applies any pending schema migration (Flyway); {@link #migrate(String)} does only
 * that, for {@code offload migrate}. An unreachable or wrong URL fails within seconds with a {@link
 * StoreException} naming the URL, its password masked.
 */
public final class SqlJobStore implements JobStore {
  private final StoreUrl url;
  private final HikariDataSource pool;
  private final WorkSignal signal = new WorkSignal();
  private final JobOps ops;
  private final AutoCloseable watcher;
  private volatile boolean closed;

  private SqlJobStore(StoreUrl url, Dialect dialect, HikariDataSource pool) {
    this.url = url;
    this.pool = pool;
    this.ops = new JobOps(dialect, new Db(dialect, pool));
    this.watcher = dialect.watch(signal);
  }

  /**
   * Opens the store at {@code url} ({@code sqlite:PATH}, {@code postgresql://…}, or a {@code jdbc:}
   * form), migrating its schema if needed.
   *
   * @throws dev.offload.InvalidInputException when the URL is malformed
   * @throws StoreException when the database cannot be reached or migrated
   */
  public static SqlJobStore open(String url) {
    StoreUrl parsed = StoreUrl.parse(url);
    Dialect dialect = Dialect.of(parsed);
    HikariDataSource pool = connect(dialect);
    try {
      dialect.migrate(pool);
      return new SqlJobStore(parsed, dialect, pool);
    } catch (RuntimeException e) {
      pool.close();
      throw e;
    }
  }

  /**
   * Brings the schema of the store at {@code url} to the latest version and returns what was done;
   * what {@code offload migrate --store URL} runs.
   */
  public static Migration migrate(String url) {
    StoreUrl parsed = StoreUrl.parse(url);
    Dialect dialect = Dialect.of(parsed);
    try (HikariDataSource pool = connect(dialect)) {
      Migrations.Outcome outcome = JobOps.migrateNow(dialect, pool);
      return new Migration(parsed.display(), outcome.version(), outcome.applied());
    }
  }

  /**
   * What {@link #migrate(String)} did.
   *
   * @param store the URL, password masked
   * @param version the schema version now in place
   * @param applied how many migrations this run applied
   */
  public record Migration(String store, String version, int applied) {}

  private static HikariDataSource connect(Dialect dialect) {
    try {
      return dialect.openPool();
    } catch (StoreException e) {
      throw e;
    } catch (RuntimeException e) {
      Throwable cause = e;
      while (cause.getCause() != null && cause.getCause() != cause) {
        cause = cause.getCause();
      }
      throw new StoreException(
          "cannot open store '" + dialect.url().display() + "': " + cause.getMessage(), e);
    }
  }

  /** The store URL with any password masked. */
  public String url() {
    return url.display();
  }

  /**
   * Enqueues {@code job} inside the caller's transaction on {@code connection} (which must reach
   * this store's database): the job exists, and idle workers are woken, only if that transaction
   * commits. Does not commit, roll back or close the connection.
   */
  public EnqueueResult enqueue(Connection connection, Job job) {
    return enqueueAll(connection, List.of(job)).getFirst();
  }

  /** {@link #enqueue(Connection, Job)} for many jobs. */
  public List<EnqueueResult> enqueueAll(Connection connection, List<Job> jobs) {
    checkOpen();
    try {
      List<EnqueueResult> results = ops.insertAll(connection, jobs);
      wakeIfCreated(results);
      return results;
    } catch (SQLException e) {
      throw ops.db().failure("enqueue in caller's transaction", e);
    }
  }

  @Override
  public EnqueueResult enqueue(Job job) {
    return enqueueAll(List.of(job)).getFirst();
  }

  @Override
  public List<EnqueueResult> enqueueAll(List<Job> jobs) {
    checkOpen();
    if (jobs.isEmpty()) {
      return List.of();
    }
    List<EnqueueResult> results = ops.db().transaction("enqueue", c -> ops.insertAll(c, jobs));
    wakeIfCreated(results);
    return results;
  }

  private void wakeIfCreated(List<EnqueueResult> results) {
    for (EnqueueResult r : results) {
      if (r.created()) {
        signal.signal();
        return;
      }
    }
  }

  /**
   * {@inheritDoc}
   *
   * <p>The wake mark is this store's {@link WorkSignal} count, read before the claim query: every
   * announcement of work (by this process, or by another one through the dialect's watcher) moves
   * it.
   */
  @Override
  public ClaimResult claim(ClaimRequest request) {
    checkOpen();
    long wakeMark = signal.current();
    return new ClaimResult(ops.claim(request), wakeMark);
  }

  @Override
  public Set<Lease> heartbeat(List<Heartbeat> heartbeats, Instant leaseExpiresAt, Instant now) {
    checkOpen();
    return ops.heartbeat(heartbeats, leaseExpiresAt);
  }

  @Override
  public List<Boolean> complete(List<Completion> completions, Instant now) {
    checkOpen();
    JobOps.Completed done = ops.complete(completions, now);
    if (done.requeued()) {
      signal.signal();
    }
    return done.applied();
  }

  @Override
  public Optional<Job> cancel(JobId id, Instant now) {
    checkOpen();
    return ops.cancel(id, now);
  }

  @Override
  public Optional<Job> requeue(JobId id, Instant now) {
    checkOpen();
    Optional<Job> job = ops.requeue(id, now);
    job.ifPresent(j -> signal.signal());
    return job;
  }

  @Override
  public boolean delete(JobId id) {
    checkOpen();
    return ops.delete(id);
  }

  @Override
  public Optional<Job> get(JobId id) {
    checkOpen();
    return ops.get(id);
  }

  @Override
  public Page<Job> list(JobQuery query) {
    checkOpen();
    return ops.list(query);
  }

  @Override
  public JobCounts counts() {
    checkOpen();
    return ops.counts();
  }

  @Override
  public List<Job> reapExpiredLeases(Instant now, int limit) {
    checkOpen();
    List<Job> reaped = ops.reapExpiredLeases(now, limit);
    if (reaped.stream().anyMatch(j -> j.state() == JobState.QUEUED)) {
      signal.signal();
    }
    return reaped;
  }

  @Override
  public int purge(Instant finishedBefore, int limit) {
    checkOpen();
    return ops.purge(finishedBefore, limit);
  }

  @Override
  public boolean awaitWork(Set<String> queues, long wakeMark, Duration maxWait)
      throws InterruptedException {
    if (closed) {
      return false;
    }
    return signal.await(wakeMark, maxWait);
  }

  @Override
  public void registerWorker(WorkerInfo worker) {
    checkOpen();
    ops.registerWorker(worker);
  }

  @Override
  public void unregisterWorker(String workerId) {
    checkOpen();
    ops.unregisterWorker(workerId);
  }

  @Override
  public List<WorkerInfo> workers(Instant since) {
    checkOpen();
    return ops.workers(since);
  }

  /** Answers within about two seconds whether the database takes a query. */
  @Override
  public boolean isHealthy() {
    if (closed) {
      return false;
    }
    CompletableFuture<Boolean> probe =
        CompletableFuture.supplyAsync(
            () -> {
              try (Connection c = pool.getConnection()) {
                return c.isValid(2);
              } catch (SQLException e) {
                return false;
              }
            },
            task -> Thread.ofVirtual().start(task));
    try {
      return probe.get(2_500, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    } catch (Exception e) {
      return false;
    }
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    signal.close();
    try {
      watcher.close();
    } catch (Exception e) {
      // the watcher's own thread logs; nothing else to release
    }
    pool.close();
  }

  private void checkOpen() {
    if (closed) {
      throw new IllegalStateException("store '" + url.display() + "' is closed");
    }
  }
}
