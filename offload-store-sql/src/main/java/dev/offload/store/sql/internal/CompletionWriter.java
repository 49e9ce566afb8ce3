package dev.offload.store.sql.internal;

import dev.offload.JobError;
import dev.offload.JobId;
import dev.offload.spi.Completion;
import java.sql.Connection;
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
 * fenced by its lease ({@link JobSql#completeSetAndWhere}). A batch of distinct jobs is one set
 * statement ({@link BatchWriter}); a batch naming one job twice goes row by row so the first
 * completion wins, as it would in order.
 */
final class CompletionWriter {
  private final Dialect dialect;
  private final Db db;
  private final BatchWriter batch;

  CompletionWriter(Dialect dialect, Db db, BatchWriter batch) {
    this.dialect = dialect;
    this.db = db;
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
      rowsToWrite.add(row(cp));
      ids.add(cp.lease().jobId());
      mayRequeue |= requeues(cp);
    }
    // Two completions of one job in a batch must apply in order: row by row, not as a set.
    boolean asSet = ids.size() == completions.size();
    boolean announce = mayRequeue;
    long nowNanos = JobRows.nanos(now);
    Boolean[] applied =
        db.transaction(
            "complete",
            c -> {
              Boolean[] done =
                  asSet
                      ? completeAsSet(c, rowsToWrite, nowNanos)
                      : completeEach(c, rowsToWrite, nowNanos);
              if (announce) {
                dialect.announceWork(c);
              }
              return done;
            });
    boolean requeued = false;
    for (int k = 0; k < applied.length; k++) {
      requeued |= applied[k] && requeues(completions.get(k));
    }
    return new JobOps.Completed(Arrays.asList(applied), requeued);
  }

  private static boolean requeues(Completion cp) {
    return cp.outcome() == Completion.Outcome.RELEASE || cp.outcome() == Completion.Outcome.RETRY;
  }

  private Boolean[] completeAsSet(
      Connection c, List<BatchWriter.CompletionRow> rowsToWrite, long now) throws SQLException {
    List<BatchWriter.CompletionRow> sorted = new ArrayList<>(rowsToWrite);
    sorted.sort(Comparator.comparing(BatchWriter.CompletionRow::id));
    Set<JobId> done = batch.complete(c, sorted, now);
    Boolean[] applied = new Boolean[rowsToWrite.size()];
    for (int k = 0; k < applied.length; k++) {
      applied[k] = done.contains(rowsToWrite.get(k).id());
    }
    return applied;
  }

  private Boolean[] completeEach(
      Connection c, List<BatchWriter.CompletionRow> rowsToWrite, long now) throws SQLException {
    Boolean[] applied = new Boolean[rowsToWrite.size()];
    for (int k = 0; k < applied.length; k++) {
      BatchWriter.CompletionRow r = rowsToWrite.get(k);
      applied[k] = !batch.complete(c, List.of(r), now).isEmpty();
    }
    return applied;
  }

  /** The row a completion writes: Completion.applyTo, expressed as column values. */
  private static BatchWriter.CompletionRow row(Completion cp) {
    String kind =
        switch (cp.outcome()) {
          case SUCCEEDED -> "succeeded";
          case FAILED -> "failed";
          case RETRY -> "retry";
          case RELEASE -> "release";
        };
    JobError error = cp.error();
    // Job.finished: a success clears the error, a failure keeps the last one unless it brings
    // its own; Job.retried sets it (even to none); Job.released leaves it.
    boolean setsError =
        switch (cp.outcome()) {
          case SUCCEEDED, RETRY -> true;
          case FAILED -> error != null;
          case RELEASE -> false;
        };
    boolean success = cp.outcome() == Completion.Outcome.SUCCEEDED;
    JobError written = success ? null : error;
    return new BatchWriter.CompletionRow(
        cp.lease().jobId(),
        cp.lease().token(),
        cp.lease().owner(),
        kind,
        success ? cp.result() : null,
        setsError,
        written == null ? null : written.type(),
        written == null ? null : written.message(),
        written == null ? null : written.detail(),
        !success && error != null,
        cp.outcome() == Completion.Outcome.RETRY ? JobRows.nanos(cp.retryAt()) : null,
        JobRows.nanos(cp.startedAt()));
  }
}
