package dev.offload.store.sql.internal;

import dev.offload.JobError;
import dev.offload.JobId;
import dev.offload.JobState;
import dev.offload.spi.Completion;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Applies worker completions: each is {@link Completion#applyTo} expressed as column values and
 * fenced by its lease. A batch of distinct jobs is one set statement ({@link BatchWriter}); a batch
 * naming one job twice goes row by row so the first completion wins, as it would in order.
 */
final class CompletionWriter {
  private final Dialect dialect;
  private final Db db;
  private final JobSql sql;
  private final BatchWriter batch;

  CompletionWriter(Dialect dialect, Db db, JobSql sql, BatchWriter batch) {
    this.dialect = dialect;
    this.db = db;
    this.sql = sql;
    this.batch = batch;
  }

  JobOps.Completed complete(List<Completion> completions, Instant now) {
    if (completions.isEmpty()) {
      return new JobOps.Completed(List.of(), false);
    }
    List<BatchWriter.CompletionRow> rowsToWrite = new ArrayList<>(completions.size());
    Set<JobId> ids = new HashSet<>();
    boolean mayRequeue = false;
    for (Completion cp : completions) {
      rowsToWrite.add(row(cp, now));
      ids.add(cp.lease().jobId());
      mayRequeue |=
          cp.outcome() == Completion.Outcome.RETRY || cp.outcome() == Completion.Outcome.RELEASE;
    }
    // Two completions of one job in a batch must apply in order: row by row, not as a set.
    boolean asSet = completions.size() > 1 && ids.size() == completions.size();
    boolean announce = mayRequeue;
    Boolean[] applied =
        db.transaction(
            "complete",
            c -> {
              Boolean[] done = asSet ? completeAsSet(c, rowsToWrite) : completeEach(c, rowsToWrite);
              if (announce) {
                dialect.announceWork(c);
              }
              return done;
            });
    boolean requeued = false;
    for (int k = 0; k < applied.length; k++) {
      Completion.Outcome outcome = completions.get(k).outcome();
      requeued |=
          applied[k]
              && (outcome == Completion.Outcome.RELEASE || outcome == Completion.Outcome.RETRY);
    }
    return new JobOps.Completed(Arrays.asList(applied), requeued);
  }

  private Boolean[] completeAsSet(Connection c, List<BatchWriter.CompletionRow> rowsToWrite)
      throws SQLException {
    List<BatchWriter.CompletionRow> sorted = new ArrayList<>(rowsToWrite);
    sorted.sort(Comparator.comparing(BatchWriter.CompletionRow::id));
    Set<JobId> done = batch.complete(c, sorted);
    Boolean[] applied = new Boolean[rowsToWrite.size()];
    for (int k = 0; k < applied.length; k++) {
      applied[k] = done.contains(rowsToWrite.get(k).id());
    }
    return applied;
  }

  private Boolean[] completeEach(Connection c, List<BatchWriter.CompletionRow> rowsToWrite)
      throws SQLException {
    Boolean[] applied = new Boolean[rowsToWrite.size()];
    try (PreparedStatement ps = c.prepareStatement(sql.complete)) {
      for (int k = 0; k < applied.length; k++) {
        BatchWriter.CompletionRow r = rowsToWrite.get(k);
        ps.setString(1, r.state());
        JobRows.setString(ps, 2, r.result());
        ps.setBoolean(3, r.setsError());
        JobRows.setString(ps, 4, r.errorType());
        ps.setBoolean(5, r.setsError());
        JobRows.setString(ps, 6, r.errorMessage());
        ps.setBoolean(7, r.setsError());
        JobRows.setString(ps, 8, r.errorDetail());
        JobRows.setLong(ps, 9, r.runAt());
        JobRows.setLong(ps, 10, r.finishedAt());
        dialect.bindId(ps, 11, r.id());
        ps.setInt(12, r.attempt());
        ps.setString(13, r.owner());
        applied[k] = ps.executeUpdate() > 0;
      }
    }
    return applied;
  }

  /** The row a completion writes: Completion.applyTo, expressed as column values. */
  private static BatchWriter.CompletionRow row(Completion cp, Instant now) {
    JobState next;
    String result = null;
    Long runAt = null;
    Long finishedAt = null;
    switch (cp.outcome()) {
      case SUCCEEDED -> {
        next = JobState.SUCCEEDED;
        result = cp.result();
        finishedAt = JobRows.nanos(now);
      }
      case FAILED -> {
        next = JobState.FAILED;
        finishedAt = JobRows.nanos(now);
      }
      case RETRY -> {
        next = JobState.SCHEDULED;
        runAt = JobRows.nanos(cp.retryAt());
      }
      case RELEASE -> {
        next = JobState.QUEUED;
        runAt = JobRows.nanos(now);
      }
      default -> throw new IllegalArgumentException("unknown outcome " + cp.outcome());
    }
    // applyTo keeps the previous error unless a failure or retry brings a new one.
    JobError error =
        cp.outcome() == Completion.Outcome.FAILED || cp.outcome() == Completion.Outcome.RETRY
            ? cp.error()
            : null;
    return new BatchWriter.CompletionRow(
        cp.lease().jobId(),
        cp.lease().attempt(),
        cp.lease().owner(),
        JobRows.state(next),
        result,
        error != null,
        error == null ? null : error.type(),
        error == null ? null : error.message(),
        error == null ? null : error.detail(),
        runAt,
        finishedAt);
  }
}
