package dev.offload.store.sql.internal;

import com.zaxxer.hikari.HikariDataSource;
import dev.offload.Job;
import dev.offload.JobCounts;
import dev.offload.JobError;
import dev.offload.JobId;
import dev.offload.JobQuery;
import dev.offload.JobState;
import dev.offload.JobStateConflictException;
import dev.offload.Lease;
import dev.offload.Page;
import dev.offload.Progress;
import dev.offload.WorkerInfo;
import dev.offload.spi.ClaimRequest;
import dev.offload.spi.Completion;
import dev.offload.spi.EnqueueResult;
import dev.offload.spi.Heartbeat;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.IntStream;

/**
 * The store's operations as SQL, one method per {@link dev.offload.spi.JobStore} operation.
 *
 * <p>Design: hot paths (enqueue, claim, heartbeat, complete) are single statements or JDBC batches
 * in one transaction, so a batch of any size costs one commit; they mirror the core's {@link Job}
 * transitions in SQL ({@link JobSql}). Rare operations that change a job in several ways (cancel,
 * requeue, reaping) lock the row, apply the {@link Job} transition in Java and write the row back,
 * so those rules are not restated at all. Batches touch rows in id order, so two batches never wait
 * on each other in opposite orders.
 */
public final class JobOps {
  private static final Comparator<Job> CLAIM_ORDER =
      Comparator.comparingInt(Job::priority)
          .reversed()
          .thenComparing(Job::runAt)
          .thenComparing(Job::id);
  private static final int PURGE_BATCH = 1_000;

  private final Dialect dialect;
  private final Db db;
  private final JobSql sql;
  private final JobRows rows;
  private final BatchWriter batch;
  private final CompletionWriter completer;
  private final WorkerRegistry workers;

  public JobOps(Dialect dialect, Db db) {
    this.dialect = dialect;
    this.db = db;
    this.sql = new JobSql(dialect);
    this.rows = new JobRows(dialect);
    this.batch = BatchWriter.of(dialect, rows, sql);
    this.completer = new CompletionWriter(dialect, db, batch);
    this.workers = new WorkerRegistry(db, sql);
  }

  public Db db() {
    return db;
  }

  /** Runs Flyway whatever the recorded version (for {@code offload migrate}). */
  public static Migrations.Outcome migrateNow(Dialect dialect, HikariDataSource pool) {
    return Migrations.run(dialect, pool);
  }

  /** Inserts on {@code c} inside its current transaction; announces work if any was created. */
  public List<EnqueueResult> insertAll(Connection c, List<Job> jobs) throws SQLException {
    for (Job job : jobs) {
      if (!job.state().isPending()) {
        throw new IllegalArgumentException(
            "enqueue takes a pending job, got " + job.state() + " for " + job.id());
      }
    }
    Set<JobId> ids = new HashSet<>();
    List<Job> distinct = new ArrayList<>(jobs.size());
    for (Job job : jobs) {
      if (ids.add(job.id())) {
        distinct.add(job);
      }
    }
    Set<JobId> inserted =
        jobs.size() == 1 ? insertOne(c, jobs.getFirst()) : batch.insert(c, distinct);
    List<EnqueueResult> results = new ArrayList<>(jobs.size());
    boolean created = false;
    for (int i = 0; i < jobs.size(); i++) {
      Job job = jobs.get(i);
      if (inserted.remove(job.id())) {
        results.add(new EnqueueResult(job, true));
        created = true;
        continue;
      }
      Job existing = job.idempotencyKey() == null ? null : byKey(c, job.idempotencyKey());
      if (existing == null) {
        throw new IllegalArgumentException("job " + job.id() + " exists already");
      }
      results.add(new EnqueueResult(existing, false));
    }
    if (created) {
      dialect.announceWork(c);
    }
    return results;
  }

  private Set<JobId> insertOne(Connection c, Job job) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql.insert)) {
      rows.bindAll(ps, 1, job);
      return ps.executeUpdate() > 0 ? new HashSet<>(Set.of(job.id())) : new HashSet<>();
    }
  }

  private Job byKey(Connection c, String key) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql.selectByKey)) {
      ps.setString(1, key);
      return one(ps);
    }
  }

  public List<Job> claim(ClaimRequest r) {
    JobSql.Claim claim = sql.claim(r.queues().size());
    List<Job> claimed =
        db.statement(
            "claim",
            c -> {
              try (PreparedStatement ps = c.prepareStatement(claim.text())) {
                int i = 1;
                for (JobSql.ClaimParam p : claim.params()) {
                  switch (p) {
                    case NOW -> ps.setLong(i++, JobRows.nanos(r.now()));
                    case QUEUES -> {
                      for (String q : r.queues()) {
                        ps.setString(i++, q);
                      }
                    }
                    case LIMIT -> ps.setInt(i++, r.max());
                    case OWNER -> ps.setString(i++, r.workerId());
                    case UNTIL -> ps.setLong(i++, JobRows.nanos(r.leaseExpiresAt()));
                  }
                }
                return all(ps);
              }
            });
    claimed.sort(CLAIM_ORDER);
    return claimed;
  }

  /** Renews held leases, recording starts; returns the leases no longer held. */
  public Set<Lease> heartbeat(List<Heartbeat> beats, Instant leaseExpiresAt) {
    if (beats.isEmpty()) {
      return Set.of();
    }
    int[] order = idOrder(beats, b -> b.lease().jobId());
    int[] counts =
        db.transaction(
            "heartbeat",
            c -> {
              try (PreparedStatement ps = c.prepareStatement(sql.heartbeat)) {
                for (int k : order) {
                  Heartbeat b = beats.get(k);
                  boolean starts = b.startedAt() != null;
                  ps.setBoolean(1, starts);
                  ps.setBoolean(2, starts);
                  ps.setBoolean(3, starts);
                  JobRows.setLong(ps, 4, JobRows.nanos(b.startedAt()));
                  ps.setLong(5, JobRows.nanos(leaseExpiresAt));
                  Progress p = b.progress();
                  ps.setBoolean(6, p != null);
                  if (p == null) {
                    ps.setNull(7, Types.DOUBLE);
                  } else {
                    ps.setDouble(7, p.fraction());
                  }
                  ps.setBoolean(8, p != null);
                  JobRows.setString(ps, 9, p == null ? null : p.message());
                  bindLease(ps, 10, b.lease());
                  ps.addBatch();
                }
                return ps.executeBatch();
              }
            });
    Set<Lease> lost = new HashSet<>();
    for (int n = 0; n < order.length; n++) {
      if (counts[n] == 0) {
        lost.add(beats.get(order[n]).lease());
      }
    }
    return lost;
  }

  /** What {@link #complete} did: applied per completion, and whether any job waits again. */
  public record Completed(List<Boolean> applied, boolean requeued) {}

  public Completed complete(List<Completion> completions, Instant now) {
    return completer.complete(completions, now);
  }

  private void bindLease(PreparedStatement ps, int i, Lease lease) throws SQLException {
    dialect.bindId(ps, i, lease.jobId());
    ps.setLong(i + 1, lease.token());
    ps.setString(i + 2, lease.owner());
  }

  /** {@link Job#cancelled}, applied to the locked row; terminal jobs are left as they are. */
  public Optional<Job> cancel(JobId id, Instant now) {
    return Optional.ofNullable(
        db.transaction(
            "cancel",
            c -> {
              Job job = byId(c, id, true);
              if (job == null || job.state().isTerminal()) {
                return job;
              }
              Job next = job.cancelled(now);
              writeBack(c, List.of(next));
              return next;
            }));
  }

  public Optional<Job> requeue(JobId id, Instant now) {
    return Optional.ofNullable(
        db.transaction(
            "requeue",
            c -> {
              Job job = byId(c, id, true);
              if (job == null) {
                return null;
              }
              if (job.state() != JobState.FAILED && job.state() != JobState.CANCELLED) {
                throw new JobStateConflictException(
                    id, job.state(), "only failed or cancelled jobs can be requeued");
              }
              Job next = job.requeued(now);
              writeBack(c, List.of(next));
              dialect.announceWork(c);
              return next;
            }));
  }

  public boolean delete(JobId id) {
    return db.transaction(
        "delete",
        c -> {
          Job job = byId(c, id, true);
          if (job == null) {
            return false;
          }
          if (job.state() == JobState.RUNNING || job.isReserved()) {
            throw new JobStateConflictException(
                id,
                job.state(),
                job.state() == JobState.RUNNING
                    ? "cancel it before deleting it"
                    : "a worker holds it; cancel it before deleting it");
          }
          try (PreparedStatement ps = c.prepareStatement(sql.delete)) {
            dialect.bindId(ps, 1, id);
            return ps.executeUpdate() > 0;
          }
        });
  }

  public Optional<Job> get(JobId id) {
    return Optional.ofNullable(db.read("get", c -> byId(c, id, false)));
  }

  private Job byId(Connection c, JobId id, boolean forUpdate) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(forUpdate ? sql.selectByIdForUpdate : sql.selectById)) {
      dialect.bindId(ps, 1, id);
      return one(ps);
    }
  }

  public Page<Job> list(JobQuery q) {
    List<JobState> states = List.copyOf(q.states());
    JobId after = q.cursorId();
    List<Job> found =
        db.read(
            "list",
            c -> {
              String text =
                  sql.list(states.size(), q.task() != null, q.queue() != null, after != null);
              try (PreparedStatement ps = c.prepareStatement(text)) {
                int i = 1;
                for (JobState s : states) {
                  ps.setString(i++, JobRows.state(s));
                }
                if (q.task() != null) {
                  ps.setString(i++, q.task());
                }
                if (q.queue() != null) {
                  ps.setString(i++, q.queue());
                }
                if (after != null) {
                  dialect.bindId(ps, i++, after);
                }
                ps.setInt(i, q.limit() + 1);
                return all(ps);
              }
            });
    boolean more = found.size() > q.limit();
    List<Job> items = more ? found.subList(0, q.limit()) : found;
    return new Page<>(items, more ? items.getLast().id().toString() : null);
  }

  public JobCounts counts() {
    return db.read(
        "counts",
        c -> {
          Map<String, Map<JobState, Long>> byQueue = new HashMap<>();
          try (Statement s = c.createStatement();
              ResultSet rs = s.executeQuery(sql.counts)) {
            while (rs.next()) {
              byQueue
                  .computeIfAbsent(rs.getString(1), k -> new EnumMap<>(JobState.class))
                  .put(JobRows.state(rs.getString(2)), rs.getLong(3));
            }
          }
          return new JobCounts(byQueue);
        });
  }

  /** Up to {@code limit} running jobs with lapsed leases, {@link Job#reaped} in one transaction. */
  public List<Job> reapExpiredLeases(Instant now, int limit) {
    if (limit < 1) {
      return List.of();
    }
    return db.transaction(
        "reap expired leases",
        c -> {
          List<Job> expired;
          try (PreparedStatement ps = c.prepareStatement(sql.expired)) {
            ps.setLong(1, JobRows.nanos(now));
            ps.setInt(2, limit);
            expired = all(ps);
          }
          List<Job> changed = new ArrayList<>(expired.size());
          for (Job job : expired) {
            changed.add(job.reaped(now));
          }
          writeBack(c, changed);
          if (changed.stream().anyMatch(j -> j.state() == JobState.QUEUED)) {
            dialect.announceWork(c);
          }
          return changed;
        });
  }

  private void writeBack(Connection c, List<Job> jobs) throws SQLException {
    if (jobs.isEmpty()) {
      return;
    }
    try (PreparedStatement ps = c.prepareStatement(sql.writeBack)) {
      for (int k : idOrder(jobs, Job::id)) {
        bindWriteBack(ps, jobs.get(k));
        ps.addBatch();
      }
      ps.executeBatch();
    }
  }

  private void bindWriteBack(PreparedStatement ps, Job job) throws SQLException {
    ps.setString(1, JobRows.state(job.state()));
    JobRows.setString(ps, 2, job.result());
    JobError e = job.error();
    JobRows.setString(ps, 3, e == null ? null : e.type());
    JobRows.setString(ps, 4, e == null ? null : e.message());
    JobRows.setString(ps, 5, e == null ? null : e.detail());
    Progress p = job.progress();
    if (p == null) {
      ps.setNull(6, Types.DOUBLE);
    } else {
      ps.setDouble(6, p.fraction());
    }
    JobRows.setString(ps, 7, p == null ? null : p.message());
    ps.setInt(8, job.attempts());
    ps.setInt(9, job.maxAttempts());
    ps.setLong(10, JobRows.nanos(job.runAt()));
    JobRows.setLong(ps, 11, JobRows.nanos(job.startedAt()));
    JobRows.setLong(ps, 12, JobRows.nanos(job.finishedAt()));
    JobRows.setString(ps, 13, job.leaseOwner());
    JobRows.setLong(ps, 14, JobRows.nanos(job.leaseExpiresAt()));
    ps.setLong(15, job.leaseToken());
    ps.setInt(16, job.lostReservations());
    JobRows.setString(ps, 17, History.write(job.history()));
    dialect.bindId(ps, 18, job.id());
  }

  public int purge(Instant finishedBefore, int limit) {
    int purged = 0;
    while (purged < limit) {
      int chunk = Math.min(PURGE_BATCH, limit - purged);
      int n =
          db.statement(
              "purge",
              c -> {
                try (PreparedStatement ps = c.prepareStatement(sql.purge)) {
                  ps.setLong(1, JobRows.nanos(finishedBefore));
                  ps.setInt(2, chunk);
                  return ps.executeUpdate();
                }
              });
      purged += n;
      if (n < chunk) {
        break;
      }
    }
    return purged;
  }

  public void registerWorker(WorkerInfo w) {
    workers.register(w);
  }

  public void unregisterWorker(String workerId) {
    workers.unregister(workerId);
  }

  public List<WorkerInfo> workers(Instant since) {
    return workers.since(since);
  }

  private Job one(PreparedStatement ps) throws SQLException {
    try (ResultSet rs = ps.executeQuery()) {
      return rs.next() ? rows.read(rs) : null;
    }
  }

  private List<Job> all(PreparedStatement ps) throws SQLException {
    List<Job> found = new ArrayList<>();
    try (ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        found.add(rows.read(rs));
      }
    }
    return found;
  }

  /** Indices of {@code items} sorted by job id: the order batches touch rows in. */
  private static <T> int[] idOrder(List<T> items, Function<T, JobId> id) {
    return IntStream.range(0, items.size())
        .boxed()
        .sorted(Comparator.comparing(k -> id.apply(items.get(k))))
        .mapToInt(Integer::intValue)
        .toArray();
  }
}
