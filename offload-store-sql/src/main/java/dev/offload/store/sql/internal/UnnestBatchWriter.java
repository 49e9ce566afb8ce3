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

  UnnestBatchWriter(Dialect dialect, JobSql sql) {
    String jobs = dialect.table("offload_jobs");
    insert =
        "INSERT INTO "
            + jobs
            + " ("
            + JobRows.COLUMNS
            + ") SELECT * FROM unnest(?::uuid[], ?::text[], ?::text[], ?::text[], ?::int4[],"
            + " ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::float8[], ?::text[],"
            + " ?::int4[], ?::int4[], ?::int8[], ?::int8[], ?::int8[], ?::text[], ?::int8[],"
            + " ?::int8[], ?::int8[], ?::int8[], ?::text[], ?::int8[], ?::int8[], ?::int4[],"
            + " ?::text[])"
            + " ON CONFLICT DO NOTHING RETURNING id";
    complete =
        "UPDATE "
            + jobs
            + sql.completeSetAndWhere()
                .replaceFirst(
                    "\\n?WHERE ",
                    """
                     FROM unnest(?::uuid[], ?::int8[], ?::text[], ?::text[], ?::text[], ?::bool[],
                      ?::text[], ?::text[], ?::text[], ?::bool[], ?::int8[], ?::int8[])
                      AS v(vid, vtoken, vowner, vkind, vresult, verr, vtype, vmsg, vdetail, vaerr,
                      vretry, vstarted),
                      (SELECT ?::int8 AS vnow) AS n
                    WHERE\s\
                    """)
            + " RETURNING id";
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
      cols[24][r] = j.leaseToken();
      cols[25][r] = j.lostReservations();
      cols[26][r] = History.write(j.history());
    }
    String[] types = {
      "uuid", "text", "text", "text", "int4", "text", "text", "text", "text", "text", "float8",
      "text", "int4", "int4", "int8", "int8", "int8", "text", "int8", "int8", "int8", "int8",
      "text", "int8", "int8", "int4", "text"
    };
    try (PreparedStatement ps = c.prepareStatement(insert)) {
      for (int k = 0; k < cols.length; k++) {
        ps.setArray(k + 1, array(c, types[k], cols[k]));
      }
      return ids(ps);
    }
  }

  @Override
  public Set<JobId> complete(Connection c, List<CompletionRow> rows, long now) throws SQLException {
    int n = rows.size();
    UUID[] id = new UUID[n];
    Long[] token = new Long[n];
    String[] owner = new String[n];
    String[] kind = new String[n];
    String[] result = new String[n];
    Boolean[] err = new Boolean[n];
    String[] type = new String[n];
    String[] msg = new String[n];
    String[] detail = new String[n];
    Boolean[] attemptErr = new Boolean[n];
    Long[] retryAt = new Long[n];
    Long[] startedAt = new Long[n];
    for (int r = 0; r < n; r++) {
      CompletionRow row = rows.get(r);
      id[r] = row.id().value();
      token[r] = row.token();
      owner[r] = row.owner();
      kind[r] = row.kind();
      result[r] = row.result();
      err[r] = row.setsError();
      type[r] = row.errorType();
      msg[r] = row.errorMessage();
      detail[r] = row.errorDetail();
      attemptErr[r] = row.attemptError();
      retryAt[r] = row.retryAt();
      startedAt[r] = row.startedAt();
    }
    try (PreparedStatement ps = c.prepareStatement(complete)) {
      ps.setArray(1, array(c, "uuid", id));
      ps.setArray(2, array(c, "int8", token));
      ps.setArray(3, array(c, "text", owner));
      ps.setArray(4, array(c, "text", kind));
      ps.setArray(5, array(c, "text", result));
      ps.setArray(6, array(c, "bool", err));
      ps.setArray(7, array(c, "text", type));
      ps.setArray(8, array(c, "text", msg));
      ps.setArray(9, array(c, "text", detail));
      ps.setArray(10, array(c, "bool", attemptErr));
      ps.setArray(11, array(c, "int8", retryAt));
      ps.setArray(12, array(c, "int8", startedAt));
      ps.setLong(13, now);
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
