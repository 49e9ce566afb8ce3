package dev.offload.spi;

import dev.offload.Job;
import dev.offload.JobError;
import dev.offload.JobState;
import dev.offload.Lease;
import java.time.Instant;
import java.util.Objects;

/**
 * The end of one attempt, as the worker holding its lease reports it. The engine decides between
 * retry and final failure; the store only applies the fenced change.
 *
 * @param lease the lease the attempt ran under
 * @param outcome what happened
 * @param result JSON output for {@code SUCCEEDED}, else {@code null}
 * @param error the error for {@code FAILED} and {@code RETRY}, else {@code null}
 * @param retryAt when a {@code RETRY} becomes due again, else {@code null}
 */
public record Completion(
    Lease lease, Outcome outcome, String result, JobError error, Instant retryAt) {

  /** What a completion does to its job. */
  public enum Outcome {
    /** To {@code SUCCEEDED} with a result. */
    SUCCEEDED,
    /** To {@code FAILED} for good. */
    FAILED,
    /** To {@code SCHEDULED} at {@code retryAt} (a retry after backoff). */
    RETRY,
    /** To {@code QUEUED} at once, e.g. on shutdown: the work was not done. */
    RELEASE
  }

  public Completion {
    Objects.requireNonNull(lease, "lease");
    Objects.requireNonNull(outcome, "outcome");
    if (outcome == Outcome.RETRY) {
      Objects.requireNonNull(retryAt, "retryAt");
    }
  }

  public static Completion succeeded(Lease lease, String resultJson) {
    return new Completion(lease, Outcome.SUCCEEDED, resultJson, null, null);
  }

  public static Completion failed(Lease lease, JobError error) {
    return new Completion(lease, Outcome.FAILED, null, error, null);
  }

  public static Completion retry(Lease lease, JobError error, Instant retryAt) {
    return new Completion(lease, Outcome.RETRY, null, error, retryAt);
  }

  public static Completion release(Lease lease) {
    return new Completion(lease, Outcome.RELEASE, null, null, null);
  }

  /**
   * The job as it is after this completion is applied to {@code job}, which must be held by {@link
   * #lease()}: the one definition of each outcome, shared by every store.
   */
  public Job applyTo(Job job, Instant now) {
    if (!job.isHeldBy(lease)) {
      throw new IllegalStateException("job " + job.id() + " is not held by " + lease);
    }
    return switch (outcome) {
      case SUCCEEDED -> job.finished(JobState.SUCCEEDED, result, null, now);
      case FAILED -> job.finished(JobState.FAILED, null, error, now);
      case RETRY -> job.pendingAgain(JobState.SCHEDULED, retryAt, error);
      case RELEASE -> job.pendingAgain(JobState.QUEUED, now, null);
    };
  }
}
