package dev.offload.store.sql.internal;

import dev.offload.Job;
import dev.offload.JobId;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Set;

/**
 * Writes a whole batch of inserts or completions in one statement instead of one per row: the part
 * of the hot path where the two databases want different SQL. PostgreSQL takes one array per column
 * ({@code unnest}), so the statement text, and its server-side plan, is the same for every batch
 * size; SQLite takes a multi-row {@code VALUES} list (it compiles every statement anyway). Both
 * report which rows they changed with {@code RETURNING id}.
 */
public interface BatchWriter {
  /** Inserts {@code jobs} (distinct ids), skipping conflicts; returns the ids inserted. */
  Set<JobId> insert(Connection c, List<Job> jobs) throws SQLException;

  /** Applies the fenced completions (distinct job ids); returns the ids applied. */
  Set<JobId> complete(Connection c, List<CompletionRow> rows) throws SQLException;

  /**
   * One completion as the {@code complete} statement binds it.
   *
   * @param id the job
   * @param attempt the lease's attempt (fencing token)
   * @param owner the lease's owner
   * @param state the state to set
   * @param result the result to set
   * @param setsError whether the error columns are replaced
   * @param errorType new error type
   * @param errorMessage new error message
   * @param errorDetail new error detail
   * @param runAt new run-at (epoch ns) or {@code null} to keep it
   * @param finishedAt the finish time (epoch ns) or {@code null}
   */
  record CompletionRow(
      JobId id,
      int attempt,
      String owner,
      String state,
      String result,
      boolean setsError,
      String errorType,
      String errorMessage,
      String errorDetail,
      Long runAt,
      Long finishedAt) {}

  static BatchWriter of(Dialect dialect, JobRows rows) {
    return dialect.kind() == Dialect.Kind.POSTGRESQL
        ? new UnnestBatchWriter(dialect)
        : new ValuesBatchWriter(dialect, rows);
  }
}
