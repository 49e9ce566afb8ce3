package dev.offload.store.sql.internal;

import dev.offload.Job;
import dev.offload.JobError;
import dev.offload.JobId;
import dev.offload.Progress;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/**
 * {@link BatchWriter} for PostgreSQL: one array parameter per column, expanded server-side by
 * {@code unnest}, so one prepared statement serves every batch size.
 */
final class UnnestBatchWriter implements BatchWriter {
  private final String insert;
  private final String complete;

  UnnestBatchWriter(Dialect dialect) {
    String jobs = dialect.table("offload_jobs");
    insert =
        "INSERT INTO "
            + jobs
            + " ("
            + JobRows.COLUMNS
            + ") SELECT * FROM unnest(?::uuid[], ?::text[], ?::text[], ?::text[], ?::int4[],"
            + " ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::float8[], ?::text[],"
            + " ?::int4[], ?::int4[], ?::int8[], ?::int8[], ?::int8[], ?::text[], ?::int8[],"
            + " ?::int8[], ?::int8[], ?::int8[], ?::text[], ?::int8[])"
            + " ON CONFLICT DO NOTHING RETURNING id";
    complete =
        "UPDATE "
            + jobs
            + """
             SET state = vstate, result = vresult,
              error_type = CASE WHEN verr THEN vtype ELSE error_type END,
              error_message = CASE WHEN verr THEN vmsg ELSE error_message END,
              error_detail = CASE WHEN verr THEN vdetail ELSE error_detail END,
              run_at = COALESCE(vrun, run_at), finished_at = vfin,
              lease_owner = NULL, lease_expires_at = NULL
            FROM unnest(?::uuid[], ?::int4[], ?::text[], ?::text[], ?::text[], ?::bool[],
              ?::text[], ?::text[], ?::text[], ?::int8[], ?::int8[])
              AS v(vid, vattempt, vowner, vstate, vresult, verr, vtype, vmsg, vdetail, vrun, vfin)
            WHERE id = vid AND attempts = vattempt AND lease_owner = vowner
            RETURNING id\
            """;
  }

  @Override
  public Set<JobId> insert(Connection c, List<Job> jobs) throws SQLException {
    int n = jobs.size();
    Object[][] cols = new Object[JobRows.COLUMN_COUNT][n];
    for (int r = 0; r < n; r++) {
      Job j = jobs.get(r);
      JobError e = j.error();
      Progress p = j.progress();
      cols[0][r] = j.id().value();
      cols[1][r] = j.task();
      cols[2][r] = j.queue();
      cols[3][r] = JobRows.state(j.state());
      cols[4][r] = j.priority();
      cols[5][r] = j.input();
      cols[6][r] = j.result();
      cols[7][r] = e == null ? null : e.type();
      cols[8][r] = e == null ? null : e.message();
      cols[9][r] = e == null ? null : e.detail();
      cols[10][r] = p == null ? null : p.fraction();
      cols[11][r] = p == null ? null : p.message();
      cols[12][r] = j.attempts();
      cols[13][r] = j.maxAttempts();
      cols[14][r] = JobRows.durationNanos("backoff.initial", j.backoff().initial());
      cols[15][r] = JobRows.durationNanos("backoff.max", j.backoff().max());
      cols[16][r] = j.timeout() == null ? null : JobRows.durationNanos("timeout", j.timeout());
      cols[17][r] = j.idempotencyKey();
      cols[18][r] = JobRows.nanos(j.createdAt());
      cols[19][r] = JobRows.nanos(j.runAt());
      cols[20][r] = JobRows.nanos(j.startedAt());
      cols[21][r] = JobRows.nanos(j.finishedAt());
      cols[22][r] = j.leaseOwner();
      cols[23][r] = JobRows.nanos(j.leaseExpiresAt());
    }
    String[] types = {
      "uuid", "text", "text", "text", "int4", "text", "text", "text", "text", "text", "float8",
      "text", "int4", "int4", "int8", "int8", "int8", "text", "int8", "int8", "int8", "int8",
      "text", "int8"
    };
    try (PreparedStatement ps = c.prepareStatement(insert)) {
      for (int k = 0; k < cols.length; k++) {
        ps.setArray(k + 1, array(c, types[k], cols[k]));
      }
      return ids(ps);
    }
  }

  @Override
  public Set<JobId> complete(Connection c, List<CompletionRow> rows) throws SQLException {
    int n = rows.size();
    UUID[] id = new UUID[n];
    Integer[] attempt = new Integer[n];
    String[] owner = new String[n];
    String[] state = new String[n];
    String[] result = new String[n];
    Boolean[] err = new Boolean[n];
    String[] type = new String[n];
    String[] msg = new String[n];
    String[] detail = new String[n];
    Long[] runAt = new Long[n];
    Long[] finishedAt = new Long[n];
    for (int r = 0; r < n; r++) {
      CompletionRow row = rows.get(r);
      id[r] = row.id().value();
      attempt[r] = row.attempt();
      owner[r] = row.owner();
      state[r] = row.state();
      result[r] = row.result();
      err[r] = row.setsError();
      type[r] = row.errorType();
      msg[r] = row.errorMessage();
      detail[r] = row.errorDetail();
      runAt[r] = row.runAt();
      finishedAt[r] = row.finishedAt();
    }
    try (PreparedStatement ps = c.prepareStatement(complete)) {
      ps.setArray(1, array(c, "uuid", id));
      ps.setArray(2, array(c, "int4", attempt));
      ps.setArray(3, array(c, "text", owner));
      ps.setArray(4, array(c, "text", state));
      ps.setArray(5, array(c, "text", result));
      ps.setArray(6, array(c, "bool", err));
      ps.setArray(7, array(c, "text", type));
      ps.setArray(8, array(c, "text", msg));
      ps.setArray(9, array(c, "text", detail));
      ps.setArray(10, array(c, "int8", runAt));
      ps.setArray(11, array(c, "int8", finishedAt));
      return ids(ps);
    }
  }

  private static Array array(Connection c, String type, Object[] values) throws SQLException {
    return c.createArrayOf(type, values);
  }

  private static Set<JobId> ids(PreparedStatement ps) throws SQLException {
    Set<JobId> found = new HashSet<>();
    try (ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        found.add(new JobId(rs.getObject(1, UUID.class)));
      }
    }
    return found;
  }
}
