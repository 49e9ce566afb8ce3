package dev.offload.store.sql.internal;

import dev.offload.Job;
import dev.offload.JobId;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.IntFunction;

/** {@link BatchWriter} for SQLite: multi-row {@code VALUES} lists of {@value #CHUNK} rows. */
final class ValuesBatchWriter implements BatchWriter {
  static final int CHUNK = 50;
  private static final String COMPLETE_HEAD =
      "WITH n(vnow) AS (SELECT ?), v(vid, vtoken, vowner, vkind, vresult, verr, vtype, vmsg,"
          + " vdetail, vaerr, vretry, vstarted) AS (VALUES ";
  private static final String COMPLETE_ROW = "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";

  private final Dialect dialect;
  private final JobRows rows;
  private final JobSql sql;
  private final String jobs;
  private final Map<Integer, String> insertTexts = new ConcurrentHashMap<>();
  private final Map<Integer, String> completeTexts = new ConcurrentHashMap<>();
  private final IntFunction<String> insertSql;
  private final IntFunction<String> completeSql;

  ValuesBatchWriter(Dialect dialect, JobRows rows, JobSql sql) {
    this.dialect = dialect;
    this.rows = rows;
    this.sql = sql;
    this.jobs = dialect.table("offload_jobs");
    IntFunction<String> insert = this::buildInsert;
    IntFunction<String> complete = this::buildComplete;
    this.insertSql = n -> insertTexts.computeIfAbsent(n, insert::apply);
    this.completeSql = n -> completeTexts.computeIfAbsent(n, complete::apply);
  }

  @Override
  public Set<JobId> insert(Connection c, List<Job> batch) throws SQLException {
    Set<JobId> created = new HashSet<>();
    chunked(
        c,
        batch,
        insertSql,
        (ps, i, job) -> {
          rows.bindAll(ps, i, job);
          return i + JobRows.COLUMN_COUNT;
        },
        1,
        created);
    return created;
  }

  @Override
  public Set<JobId> complete(Connection c, List<CompletionRow> batch, long now)
      throws SQLException {
    Set<JobId> applied = new HashSet<>();
    chunked(
        c,
        batch,
        completeSql,
        (ps, i, r) -> {
          if (i == 1) {
            ps.setLong(i++, now);
          }
          dialect.bindId(ps, i++, r.id());
          ps.setLong(i++, r.token());
          ps.setString(i++, r.owner());
          ps.setString(i++, r.kind());
          JobRows.setString(ps, i++, r.result());
          ps.setBoolean(i++, r.setsError());
          JobRows.setString(ps, i++, r.errorType());
          JobRows.setString(ps, i++, r.errorMessage());
          JobRows.setString(ps, i++, r.errorDetail());
          ps.setBoolean(i++, r.attemptError());
          JobRows.setLong(ps, i++, r.retryAt());
          JobRows.setLong(ps, i++, r.startedAt());
          return i;
        },
        1,
        applied);
    return applied;
  }

  /** Binds one row's parameters from {@code index} on; returns the next free index. */
  @FunctionalInterface
  private interface RowBinder<T> {
    int bind(PreparedStatement ps, int index, T row) throws SQLException;
  }

  /**
   * Runs {@code items} through statements of {@value #CHUNK} rows, preparing that statement once
   * and executing it per chunk, then one statement for the remainder: SQLite compiles every
   * statement, and compiling one of hundreds of rows costs more than running it.
   */
  private <T> void chunked(
      Connection c,
      List<T> items,
      IntFunction<String> sqlForRows,
      RowBinder<T> binder,
      int firstIndex,
      Set<JobId> into)
      throws SQLException {
    int full = items.size() / CHUNK;
    if (full > 0) {
      try (PreparedStatement ps = c.prepareStatement(sqlForRows.apply(CHUNK))) {
        for (int k = 0; k < full; k++) {
          int i = firstIndex;
          for (T item : items.subList(k * CHUNK, (k + 1) * CHUNK)) {
            i = binder.bind(ps, i, item);
          }
          collectIds(ps, into);
        }
      }
    }
    int rest = items.size() - full * CHUNK;
    if (rest > 0) {
      try (PreparedStatement ps = c.prepareStatement(sqlForRows.apply(rest))) {
        int i = firstIndex;
        for (T item : items.subList(full * CHUNK, items.size())) {
          i = binder.bind(ps, i, item);
        }
        collectIds(ps, into);
      }
    }
  }

  private String buildInsert(int n) {
    String row = "(" + "?, ".repeat(JobRows.COLUMN_COUNT - 1) + "?)";
    return "INSERT INTO "
        + jobs
        + " ("
        + JobRows.COLUMNS
        + ") VALUES "
        + repeat(row, n)
        + " ON CONFLICT DO NOTHING RETURNING id";
  }

  private String buildComplete(int n) {
    return COMPLETE_HEAD
        + repeat(COMPLETE_ROW, n)
        + ") UPDATE "
        + jobs
        + sql.completeSetAndWhere().replaceFirst("\n?WHERE ", " FROM v, n WHERE ")
        + " RETURNING id";
  }

  private void collectIds(PreparedStatement ps, Set<JobId> into) throws SQLException {
    try (ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        into.add(dialect.readId(rs, 1));
      }
    }
  }

  private static String repeat(String row, int n) {
    StringBuilder sb = new StringBuilder(row.length() * n + 2 * n);
    for (int k = 0; k < n; k++) {
      sb.append(k == 0 ? "" : ", ").append(row);
    }
    return sb.toString();
  }
}
