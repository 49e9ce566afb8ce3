package dev.offload.store.sql.internal;

import dev.offload.Backoff;
import dev.offload.InvalidInputException;
import dev.offload.Job;
import dev.offload.JobError;
import dev.offload.JobState;
import dev.offload.Progress;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;

/**
 * Maps jobs to rows and back. Columns are read and bound by position in the order of {@link
 * #COLUMNS}; times are epoch nanoseconds and durations nanoseconds, so every value round-trips
 * exactly.
 */
public final class JobRows {
  /** Every column of {@code offload_jobs}, in binding order. */
  public static final String COLUMNS =
      "id, task, queue, state, priority, input, result, error_type, error_message, error_detail,"
          + " progress_fraction, progress_message, attempts, max_attempts, backoff_initial_ns,"
          + " backoff_max_ns, timeout_ns, idempotency_key, created_at, run_at, started_at,"
          + " finished_at, lease_owner, lease_expires_at, lease_token, lost_reservations, history";

  public static final int COLUMN_COUNT = 27;

  private static final JobState[] STATES = JobState.values();

  private final Dialect dialect;

  public JobRows(Dialect dialect) {
    this.dialect = dialect;
  }

  /** Reads a job from the current row, whose columns start at {@code COLUMNS} order. */
  public Job read(ResultSet rs) throws SQLException {
    JobError error = null;
    String errorType = rs.getString(8);
    String errorMessage = rs.getString(9);
    String errorDetail = rs.getString(10);
    if (errorType != null || errorMessage != null || errorDetail != null) {
      error = new JobError(errorType, errorMessage, errorDetail);
    }
    double fraction = rs.getDouble(11);
    Progress progress = rs.wasNull() ? null : new Progress(fraction, rs.getString(12));
    return new Job(
        dialect.readId(rs, 1),
        rs.getString(2),
        rs.getString(3),
        state(rs.getString(4)),
        rs.getInt(5),
        rs.getString(6),
        rs.getString(7),
        error,
        progress,
        rs.getInt(13),
        rs.getInt(14),
        new Backoff(Duration.ofNanos(rs.getLong(15)), Duration.ofNanos(rs.getLong(16))),
        duration(rs, 17),
        rs.getString(18),
        instant(rs, 19),
        instant(rs, 20),
        instant(rs, 21),
        instant(rs, 22),
        rs.getString(23),
        instant(rs, 24),
        rs.getLong(25),
        rs.getInt(26),
        History.read(rs.getString(27)));
  }

  /** Binds every column of {@code job} to parameters {@code from .. from + 26}. */
  public void bindAll(PreparedStatement ps, int from, Job job) throws SQLException {
    int i = from;
    dialect.bindId(ps, i++, job.id());
    ps.setString(i++, job.task());
    ps.setString(i++, job.queue());
    ps.setString(i++, state(job.state()));
    ps.setInt(i++, job.priority());
    ps.setString(i++, job.input());
    setString(ps, i++, job.result());
    JobError e = job.error();
    setString(ps, i++, e == null ? null : e.type());
    setString(ps, i++, e == null ? null : e.message());
    setString(ps, i++, e == null ? null : e.detail());
    Progress p = job.progress();
    if (p == null) {
      ps.setNull(i++, Types.DOUBLE);
    } else {
      ps.setDouble(i++, p.fraction());
    }
    setString(ps, i++, p == null ? null : p.message());
    ps.setInt(i++, job.attempts());
    ps.setInt(i++, job.maxAttempts());
    ps.setLong(i++, durationNanos("backoff.initial", job.backoff().initial()));
    ps.setLong(i++, durationNanos("backoff.max", job.backoff().max()));
    setLong(ps, i++, job.timeout() == null ? null : durationNanos("timeout", job.timeout()));
    setString(ps, i++, job.idempotencyKey());
    ps.setLong(i++, nanos(job.createdAt()));
    ps.setLong(i++, nanos(job.runAt()));
    setLong(ps, i++, nanos(job.startedAt()));
    setLong(ps, i++, nanos(job.finishedAt()));
    setString(ps, i++, job.leaseOwner());
    setLong(ps, i++, nanos(job.leaseExpiresAt()));
    ps.setLong(i++, job.leaseToken());
    ps.setInt(i++, job.lostReservations());
    setString(ps, i, History.write(job.history()));
  }

  /** The column value of a state ({@code "queued"}). */
  public static String state(JobState state) {
    return state.wireName();
  }

  static JobState state(String value) {
    for (JobState s : STATES) {
      if (s.wireName().equals(value)) {
        return s;
      }
    }
    return JobState.valueOf(value.toUpperCase(Locale.ROOT));
  }

  /** Epoch nanoseconds of {@code t}, or {@code null}. */
  public static Long nanos(Instant t) {
    if (t == null) {
      return null;
    }
    try {
      return Math.addExact(Math.multiplyExact(t.getEpochSecond(), 1_000_000_000L), t.getNano());
    } catch (ArithmeticException e) {
      throw new InvalidInputException("time", "out of the storable range (1677-2262): " + t);
    }
  }

  static long durationNanos(String field, Duration d) {
    try {
      return d.toNanos();
    } catch (ArithmeticException e) {
      throw new InvalidInputException(field, "longer than 292 years: " + d);
    }
  }

  private static Instant instant(ResultSet rs, int index) throws SQLException {
    long v = rs.getLong(index);
    return rs.wasNull() ? null : Instant.ofEpochSecond(0, v);
  }

  private static Duration duration(ResultSet rs, int index) throws SQLException {
    long v = rs.getLong(index);
    return rs.wasNull() ? null : Duration.ofNanos(v);
  }

  static void setString(PreparedStatement ps, int index, String value) throws SQLException {
    if (value == null) {
      ps.setNull(index, Types.VARCHAR);
    } else {
      ps.setString(index, value);
    }
  }

  static void setLong(PreparedStatement ps, int index, Long value) throws SQLException {
    if (value == null) {
      ps.setNull(index, Types.BIGINT);
    } else {
      ps.setLong(index, value);
    }
  }
}
