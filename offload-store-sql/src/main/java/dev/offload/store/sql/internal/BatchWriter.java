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

  /**
   * Applies the fenced completions (distinct job ids) at {@code now} with {@link
   * JobSql#completeSetAndWhere}; returns the ids applied.
   */
  Set<JobId> complete(Connection c, List<CompletionRow> rows, long now) throws SQLException;

  /**
   * One completion as the {@code complete} statement binds it.
   *
   * @param id the job
   * @param token the lease's fencing token
   * @param owner the lease's owner
   * @param kind {@code succeeded}, {@code failed}, {@code retry} or {@code release}
   * @param result the result of a success
   * @param setsError whether the error columns are replaced
   * @param errorType new error type
   * @param errorMessage new error message
   * @param errorDetail new error detail
   * @param attemptError whether the ended attempt is recorded with that error
   * @param retryAt a retry's run-at (epoch ns), else {@code null}
   * @param startedAt when the attempt's task code started (epoch ns), {@code null} for a release
   */
  record CompletionRow(
      JobId id,
      long token,
      String owner,
      String kind,
      String result,
      boolean setsError,
      String errorType,
      String errorMessage,
      String errorDetail,
      boolean attemptError,
      Long retryAt,
      Long startedAt) {}

  static BatchWriter of(Dialect dialect, JobRows rows, JobSql sql) {
    return dialect.kind() == Dialect.Kind.POSTGRESQL
        ? new UnnestBatchWriter(dialect, sql)
        : new ValuesBatchWriter(dialect, rows, sql);
  }
}
