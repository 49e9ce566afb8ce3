package dev.offload.store.sql.internal;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * Every statement of the store, written once for both dialects. Where PostgreSQL and SQLite need
 * different shapes (claims, row locks) the {@link Dialect} says which.
 *
 * <p>Fencing lives in the {@code WHERE} clauses: a worker's update applies only to a row still
 * {@code running} under the worker's attempt number and owner.
 */
public final class JobSql {
  static final String PENDING = "state IN ('queued', 'scheduled')";
  static final String TERMINAL = "state IN ('succeeded', 'failed', 'cancelled')";

  /**
   * The lease is held: same attempt and owner. {@code state = 'running'} is implied, since a CHECK
   * constraint keeps {@code lease_owner} set exactly while a job runs; leaving the state out keeps
   * the planner on the primary key instead of scanning the running jobs' partial index.
   */
  static final String HELD = "attempts = ? AND lease_owner = ?";

  private final Dialect dialect;
  private final String jobs;
  private final String columns;
  private final ConcurrentMap<Integer, String> claims = new ConcurrentHashMap<>();

  final String insert;
  final String selectById;
  final String selectByIdForUpdate;
  final String selectByKey;
  final String heartbeat;
  final String complete;
  final String cancel;
  final String writeBack;
  final String delete;
  final String counts;
  final String expired;
  final String purge;
  final String upsertWorker;
  final String deleteWorker;
  final String workersSince;

  public JobSql(Dialect dialect) {
    this.dialect = dialect;
    this.jobs = dialect.table("offload_jobs");
    String workers = dialect.table("offload_workers");
    this.columns = JobRows.COLUMNS;
    boolean pg = dialect.kind() == Dialect.Kind.POSTGRESQL;
    String lock = dialect.lockClause();

    insert =
        "INSERT INTO "
            + jobs
            + " ("
            + columns
            + ") VALUES ("
            + "?, ".repeat(JobRows.COLUMN_COUNT - 1)
            + "?) ON CONFLICT DO NOTHING";
    selectById = "SELECT " + columns + " FROM " + jobs + " WHERE id = ?";
    selectByIdForUpdate = selectById + (pg ? " FOR UPDATE" : "");
    selectByKey = "SELECT " + columns + " FROM " + jobs + " WHERE idempotency_key = ?";
    heartbeat =
        "UPDATE "
            + jobs
            + """
             SET lease_expires_at = ?,
              progress_fraction = CASE WHEN ? THEN ? ELSE progress_fraction END,
              progress_message = CASE WHEN ? THEN ? ELSE progress_message END
            WHERE id = ? AND\s\
            """
            + HELD;
    // One statement for every outcome (see Completion.applyTo): the state, result, error,
    // run-at and finish time to set come as parameters; the lease is always dropped.
    complete =
        "UPDATE "
            + jobs
            + """
             SET state = ?, result = ?,
              error_type = CASE WHEN ? THEN ? ELSE error_type END,
              error_message = CASE WHEN ? THEN ? ELSE error_message END,
              error_detail = CASE WHEN ? THEN ? ELSE error_detail END,
              run_at = COALESCE(?, run_at), finished_at = ?,
              lease_owner = NULL, lease_expires_at = NULL
            WHERE id = ? AND\s\
            """
            + HELD;
    cancel =
        "UPDATE "
            + jobs
            + """
             SET state = 'cancelled', result = NULL,
              error_type = 'cancelled', error_message = 'cancelled', error_detail = NULL,
              finished_at = ?, lease_owner = NULL, lease_expires_at = NULL
            WHERE id = ? AND state IN ('scheduled', 'queued', 'running')
            RETURNING\s\
            """
            + columns;
    writeBack =
        "UPDATE "
            + jobs
            + """
             SET state = ?, result = ?, error_type = ?, error_message = ?, error_detail = ?,
              progress_fraction = ?, progress_message = ?, attempts = ?, max_attempts = ?,
              run_at = ?, started_at = ?, finished_at = ?, lease_owner = ?, lease_expires_at = ?
            WHERE id = ?\
            """;
    delete = "DELETE FROM " + jobs + " WHERE id = ?";
    counts = "SELECT queue, state, COUNT(*) FROM " + jobs + " GROUP BY queue, state";
    expired =
        "SELECT "
            + columns
            + " FROM "
            + jobs
            + " WHERE state = 'running' AND lease_expires_at < ?"
            + " ORDER BY lease_expires_at LIMIT ?"
            + lock;
    purge =
        "DELETE FROM "
            + jobs
            + " WHERE id IN (SELECT id FROM "
            + jobs
            + " WHERE "
            + TERMINAL
            + " AND finished_at < ? ORDER BY finished_at LIMIT ?"
            + lock
            + ")";
    upsertWorker =
        "INSERT INTO "
            + workers
            + """
             (id, host, pid, concurrency, running, queues, started_at, last_heartbeat_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (id) DO UPDATE SET host = excluded.host, pid = excluded.pid,
              concurrency = excluded.concurrency, running = excluded.running,
              queues = excluded.queues, started_at = excluded.started_at,
              last_heartbeat_at = excluded.last_heartbeat_at\
            """;
    deleteWorker = "DELETE FROM " + workers + " WHERE id = ?";
    workersSince =
        "SELECT id, host, pid, concurrency, running, queues, started_at, last_heartbeat_at FROM "
            + workers
            + " WHERE last_heartbeat_at >= ? ORDER BY id";
  }

  /**
   * The claim for {@code queueCount} queues (0: any). Parameters, in order: now, the queue names,
   * the limit, then now (started-at), owner and lease expiry on PostgreSQL; on SQLite the last
   * three come first.
   */
  String claim(int queueCount) {
    return claims.computeIfAbsent(queueCount, this::buildClaim);
  }

  /** Whether {@link #claim}'s SET parameters come before its WHERE parameters. */
  boolean claimSetsFirst() {
    return dialect.kind() == Dialect.Kind.SQLITE;
  }

  private String buildClaim(int queueCount) {
    String queueFilter =
        switch (queueCount) {
          case 0 -> "";
          case 1 -> " AND queue = ?";
          default -> " AND queue IN (" + "?, ".repeat(queueCount - 1) + "?)";
        };
    String pick =
        "SELECT id FROM "
            + jobs
            + " WHERE "
            + PENDING
            + " AND (state = 'queued' OR run_at <= ?)"
            + queueFilter
            + " ORDER BY priority DESC, run_at, id LIMIT ?"
            + dialect.lockClause();
    String set =
        " SET state = 'running', attempts = attempts + 1, started_at = ?, finished_at = NULL,"
            + " lease_owner = ?, lease_expires_at = ?, result = NULL,"
            + " progress_fraction = NULL, progress_message = NULL";
    if (dialect.kind() == Dialect.Kind.POSTGRESQL) {
      return "WITH picked AS ("
          + pick
          + ") UPDATE "
          + jobs
          + " AS j"
          + set.replace("attempts = attempts", "attempts = j.attempts")
          + " FROM picked WHERE j.id = picked.id RETURNING "
          + prefixed("j.");
    }
    // SQLite: pick rowids (the claim index holds them), so each update finds its row directly.
    return "UPDATE "
        + jobs
        + set
        + " WHERE rowid IN ("
        + pick.replaceFirst("SELECT id FROM", "SELECT rowid FROM")
        + ") RETURNING "
        + columns;
  }

  /** A listing: optional state, task, queue and cursor filters, newest id first. */
  String list(int stateCount, boolean task, boolean queue, boolean cursor) {
    StringBuilder sb = new StringBuilder("SELECT ").append(columns).append(" FROM ").append(jobs);
    String glue = " WHERE ";
    if (stateCount > 0) {
      sb.append(glue).append("state IN (").append("?, ".repeat(stateCount - 1)).append("?)");
      glue = " AND ";
    }
    if (task) {
      sb.append(glue).append("task = ?");
      glue = " AND ";
    }
    if (queue) {
      sb.append(glue).append("queue = ?");
      glue = " AND ";
    }
    if (cursor) {
      sb.append(glue).append("id < ?");
    }
    return sb.append(" ORDER BY id DESC LIMIT ?").toString();
  }

  private String prefixed(String prefix) {
    StringBuilder sb = new StringBuilder();
    for (String c : columns.split(",")) {
      sb.append(sb.isEmpty() ? "" : ", ").append(prefix).append(c.trim());
    }
    return sb.toString();
  }
}
