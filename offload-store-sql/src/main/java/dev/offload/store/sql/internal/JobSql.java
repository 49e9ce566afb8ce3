package dev.offload.store.sql.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * Every statement of the store, written once for both dialects. Where PostgreSQL and SQLite need
 * different shapes (claims, row locks, JSON) the {@link Dialect} says which.
 *
 * <p>Fencing lives in the {@code WHERE} clauses ({@link #HELD}): a worker's update applies only to
 * a row still held (claimed or running) under the worker's lease token and owner, as {@link
 * dev.offload.Job#isHeldBy} says.
 */
public final class JobSql {
  static final String PENDING = "state IN ('queued', 'scheduled')";
  static final String TERMINAL = "state IN ('succeeded', 'failed', 'cancelled')";

  /** The lease is held: same token and owner, claimed (queued) or running. */
  static final String HELD =
      "lease_token = ? AND lease_owner = ? AND state IN ('queued', 'running')";

  /** One bound parameter of a claim statement, in order. */
  enum ClaimParam {
    NOW,
    QUEUES,
    LIMIT,
    OWNER,
    UNTIL
  }

  /** A claim statement and the order of its parameters. */
  record Claim(String text, List<ClaimParam> params) {}

  private final Dialect dialect;
  private final String jobs;
  private final String columns;
  private final ConcurrentMap<Integer, Claim> claims = new ConcurrentHashMap<>();

  final String insert;
  final String selectById;
  final String selectByIdForUpdate;
  final String selectByKey;
  final String heartbeat;
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
    // Job.started (when a start is reported on a claimed job) then Job.renewed. Every SET
    // expression reads the row as it was, so "state = 'queued'" means "not started yet".
    heartbeat =
        "UPDATE "
            + jobs
            + """
             SET state = CASE WHEN ? AND state = 'queued' THEN 'running' ELSE state END,
              attempts = CASE WHEN ? AND state = 'queued' THEN attempts + 1 ELSE attempts END,
              started_at = CASE WHEN ? AND state = 'queued' THEN ? ELSE started_at END,
              lease_expires_at = ?,
              progress_fraction = CASE WHEN ? THEN ? ELSE progress_fraction END,
              progress_message = CASE WHEN ? THEN ? ELSE progress_message END
            WHERE id = ? AND\s\
            """
            + HELD;
    writeBack =
        "UPDATE "
            + jobs
            + """
             SET state = ?, result = ?, error_type = ?, error_message = ?, error_detail = ?,
              progress_fraction = ?, progress_message = ?, attempts = ?, max_attempts = ?,
              run_at = ?, started_at = ?, finished_at = ?, lease_owner = ?, lease_expires_at = ?,
              lease_token = ?, lost_reservations = ?, history = ?
            WHERE id = ?\
            """;
    delete = "DELETE FROM " + jobs + " WHERE id = ?";
    counts = "SELECT queue, state, COUNT(*) FROM " + jobs + " GROUP BY queue, state";
    // "lease_owner IS NOT NULL" spelled out: it is the lease index's predicate.
    expired =
        "SELECT "
            + columns
            + " FROM "
            + jobs
            + " WHERE state = 'running' AND lease_owner IS NOT NULL AND lease_expires_at < ?"
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
   * The SET and WHERE of a completion ({@code Completion.applyTo}), for the batch writers: the
   * values come from a source with columns {@code vid, vtoken, vowner} (the lease), {@code vkind}
   * ({@code succeeded}, {@code failed}, {@code retry} or {@code release}), {@code vresult}, {@code
   * verr} (whether the error columns are replaced) with {@code vtype, vmsg, vdetail}, {@code vaerr}
   * (whether the ended attempt has that error), {@code vretry} (retry-at), {@code vstarted} (the
   * attempt's start) and {@code vnow}.
   *
   * <p>A release ({@code Job.released}) hands the job back: a started one is refunded its attempt
   * and due at once, a claimed one only loses its lease. Any other outcome first starts a job still
   * claimed ({@code Job.started}: attempt charged, started at {@code vstarted}), then finishes
   * ({@code Job.finished}: a success clears the error, a failure without an error keeps the last)
   * or retries it ({@code Job.retried}), appending the ended attempt to the history. Every SET
   * expression reads the row as it was: {@code state = 'queued'} means "not started".
   */
  String completeSetAndWhere() {
    String attempt = "CASE WHEN state = 'queued' THEN attempts + 1 ELSE attempts END";
    String startedAt = "CASE WHEN state = 'queued' THEN vstarted ELSE started_at END";
    String outcome = "CASE WHEN vkind = 'succeeded' THEN 'succeeded' ELSE 'failed' END";
    return """
     SET state = CASE vkind WHEN 'succeeded' THEN 'succeeded' WHEN 'failed' THEN 'failed'
        WHEN 'retry' THEN 'scheduled' ELSE 'queued' END,
      result = CASE WHEN vkind IN ('succeeded', 'failed') THEN vresult ELSE result END,
      error_type = CASE WHEN verr THEN vtype ELSE error_type END,
      error_message = CASE WHEN verr THEN vmsg ELSE error_message END,
      error_detail = CASE WHEN verr THEN vdetail ELSE error_detail END,
      attempts = CASE WHEN vkind = 'release'
        THEN CASE WHEN state = 'running' THEN attempts - 1 ELSE attempts END
        ELSE %1$s END,
      run_at = CASE WHEN vkind = 'retry' THEN vretry ELSE run_at END,
      started_at = CASE WHEN vkind = 'release' THEN started_at ELSE %2$s END,
      finished_at = CASE WHEN vkind IN ('succeeded', 'failed') THEN vnow ELSE finished_at END,
      lease_owner = NULL, lease_expires_at = NULL,
      history = CASE WHEN vkind = 'release' THEN history ELSE %3$s END
    """
            .formatted(
                attempt,
                startedAt,
                appendAttempt(
                    attempt,
                    startedAt,
                    outcome,
                    "CASE WHEN vaerr THEN "
                        + object("'type', vtype, 'message', vmsg, 'detail', vdetail")
                        + " END"))
        + "WHERE id = vid AND lease_token = vtoken AND lease_owner = vowner"
        + " AND state IN ('queued', 'running')";
  }

  /** {@code history} with one attempt appended (see {@link History} for the shape). */
  private String appendAttempt(String attempt, String startedAt, String outcome, String error) {
    String element =
        object(
            "'"
                + History.ATTEMPT
                + "', "
                + attempt
                + ", '"
                + History.WORKER
                + "', lease_owner, '"
                + History.STARTED_AT
                + "', "
                + startedAt
                + ", '"
                + History.ENDED_AT
                + "', vnow, '"
                + History.OUTCOME
                + "', "
                + outcome
                + ", '"
                + History.ERROR
                + "', "
                + error);
    if (dialect.kind() == Dialect.Kind.POSTGRESQL) {
      return "(COALESCE(history::jsonb, '[]'::jsonb) || jsonb_build_array(" + element + "))::text";
    }
    return "json_insert(COALESCE(history, '[]'), '$[#]', " + element + ")";
  }

  private String object(String pairs) {
    return (dialect.kind() == Dialect.Kind.POSTGRESQL ? "jsonb_build_object(" : "json_object(")
        + pairs
        + ")";
  }

  /**
   * The claim for {@code queueCount} queues (0: any): unclaimed due jobs from the claim indexes and
   * lapsed reservations from the lease index, the best {@code LIMIT} of both in claim order, each
   * {@code Job.claimed}: still queued, a new token, progress cleared, a lost reservation counted
   * when a lapsed claim is taken over.
   */
  Claim claim(int queueCount) {
    return claims.computeIfAbsent(queueCount, this::buildClaim);
  }

  private Claim buildClaim(int queueCount) {
    String queueFilter =
        switch (queueCount) {
          case 0 -> "";
          case 1 -> " AND queue = ?";
          default -> " AND queue IN (" + "?, ".repeat(queueCount - 1) + "?)";
        };
    String order = " ORDER BY priority DESC, run_at, id LIMIT ?";
    String lock = dialect.lockClause();
    String unclaimed =
        " FROM "
            + jobs
            + " WHERE "
            + PENDING
            + " AND lease_owner IS NULL AND (state = 'queued' OR run_at <= ?)"
            + queueFilter
            + order
            + lock;
    String lapsed =
        " FROM "
            + jobs
            + " WHERE state = 'queued' AND lease_owner IS NOT NULL AND lease_expires_at < ?"
            + queueFilter
            + order
            + lock;
    List<ClaimParam> params = new ArrayList<>();
    List<ClaimParam> pick = new ArrayList<>();
    pick.add(ClaimParam.NOW);
    if (queueCount > 0) {
      pick.add(ClaimParam.QUEUES);
    }
    pick.add(ClaimParam.LIMIT);
    String set =
        " SET state = 'queued', progress_fraction = NULL, progress_message = NULL,"
            + " lease_owner = ?, lease_expires_at = ?, lease_token = %1$slease_token + 1,"
            + " lost_reservations = %1$slost_reservations"
            + " + CASE WHEN %1$slease_owner IS NULL THEN 0 ELSE 1 END";
    if (dialect.kind() == Dialect.Kind.POSTGRESQL) {
      params.addAll(pick);
      params.addAll(pick);
      params.add(ClaimParam.LIMIT);
      params.add(ClaimParam.OWNER);
      params.add(ClaimParam.UNTIL);
      String text =
          "WITH a AS (SELECT id, priority, run_at"
              + unclaimed
              + "), b AS (SELECT id, priority, run_at"
              + lapsed
              + "), picked AS (SELECT id FROM (SELECT * FROM a UNION ALL SELECT * FROM b) u"
              + order
              + ") UPDATE "
              + jobs
              + " AS j"
              + set.formatted("j.")
              + " FROM picked WHERE j.id = picked.id RETURNING "
              + prefixed("j.");
      return new Claim(text, List.copyOf(params));
    }
    // SQLite: pick rowids (the indexes hold them), so each update finds its row directly.
    params.add(ClaimParam.OWNER);
    params.add(ClaimParam.UNTIL);
    params.addAll(pick);
    params.addAll(pick);
    params.add(ClaimParam.LIMIT);
    String text =
        "UPDATE "
            + jobs
            + set.formatted("")
            + " WHERE rowid IN (SELECT r FROM (SELECT * FROM (SELECT rowid AS r, priority, run_at, id"
            + unclaimed
            + ") UNION ALL SELECT * FROM (SELECT rowid AS r, priority, run_at, id"
            + lapsed
            + "))"
            + order
            + ") RETURNING "
            + columns;
    return new Claim(text, List.copyOf(params));
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
