package dev.offload.store.sql.internal;

import dev.offload.Job;
import dev.offload.JobId;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** {@link BatchWriter} for SQLite: multi-row {@code VALUES} lists, up to 500 rows a statement. */
final class ValuesBatchWriter implements BatchWriter {
  private static final String COMPLETE_HEAD =
      "WITH v(vid, vattempt, vowner, vstate, vresult, verr, vtype, vmsg, vdetail, vrun, vfin)"
          + " AS (VALUES ";
  private static final String COMPLETE_ROW = "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";

  private final Dialect dialect;
  private final JobRows rows;
  private final String jobs;

  ValuesBatchWriter(Dialect dialect, JobRows rows) {
    this.dialect = dialect;
    this.rows = rows;
    this.jobs = dialect.table("offload_jobs");
  }

  @Override
  public Set<JobId> insert(Connection c, List<Job> batch) throws SQLException {
    Set<JobId> created = new HashSet<>();
    String row = "(" + "?, ".repeat(JobRows.COLUMN_COUNT - 1) + "?)";
    for (int from = 0; from < batch.size(); from += MAX_ROWS) {
      List<Job> chunk = batch.subList(from, Math.min(batch.size(), from + MAX_ROWS));
      String sql =
          "INSERT INTO "
              + jobs
              + " ("
              + JobRows.COLUMNS
              + ") VALUES "
              + repeat(row, chunk.size())
              + " ON CONFLICT DO NOTHING RETURNING id";
      try (PreparedStatement ps = c.prepareStatement(sql)) {
        int i = 1;
        for (Job job : chunk) {
          rows.bindAll(ps, i, job);
          i += JobRows.COLUMN_COUNT;
        }
        collectIds(ps, created);
      }
    }
    return created;
  }

  @Override
  public Set<JobId> complete(Connection c, List<CompletionRow> batch) throws SQLException {
    Set<JobId> applied = new HashSet<>();
    for (int from = 0; from < batch.size(); from += MAX_ROWS) {
      List<CompletionRow> chunk = batch.subList(from, Math.min(batch.size(), from + MAX_ROWS));
      String sql =
          COMPLETE_HEAD
              + repeat(COMPLETE_ROW, chunk.size())
              + ") UPDATE "
              + jobs
              + """
               SET state = vstate, result = vresult,
                error_type = CASE WHEN verr THEN vtype ELSE error_type END,
                error_message = CASE WHEN verr THEN vmsg ELSE error_message END,
                error_detail = CASE WHEN verr THEN vdetail ELSE error_detail END,
                run_at = COALESCE(vrun, run_at), finished_at = vfin,
                lease_owner = NULL, lease_expires_at = NULL
              FROM v
              WHERE id = vid AND state = 'running' AND attempts = vattempt AND lease_owner = vowner
              RETURNING id\
              """;
      try (PreparedStatement ps = c.prepareStatement(sql)) {
        int i = 1;
        for (CompletionRow r : chunk) {
          dialect.bindId(ps, i++, r.id());
          ps.setInt(i++, r.attempt());
          ps.setString(i++, r.owner());
          ps.setString(i++, r.state());
          JobRows.setString(ps, i++, r.result());
          ps.setBoolean(i++, r.setsError());
          JobRows.setString(ps, i++, r.errorType());
          JobRows.setString(ps, i++, r.errorMessage());
          JobRows.setString(ps, i++, r.errorDetail());
          JobRows.setLong(ps, i++, r.runAt());
          JobRows.setLong(ps, i++, r.finishedAt());
        }
        collectIds(ps, applied);
      }
    }
    return applied;
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
