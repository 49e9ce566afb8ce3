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
 * @param startedAt when the attempt's task code started; {@code null} only for {@code RELEASE} of a
 *     job whose task code never started. A store that has not recorded the start yet (the job is
 *     still claimed, not running) records it with the completion and charges the attempt.
 */
public record Completion(
    Lease lease,
    Outcome outcome,
    String result,
    JobError error,
    Instant retryAt,
    Instant startedAt) {

  /** What a completion does to its job. */
  public enum Outcome {
    /** To {@code SUCCEEDED} with a result. */
    SUCCEEDED,
    /** To {@code FAILED} for good. */
    FAILED,
    /** To {@code SCHEDULED} at {@code retryAt} (a retry after backoff). */
    RETRY,
    /**
     * To {@code QUEUED} at once, e.g. on shutdown: the work was not done, and the attempt is not
     * charged (refunded if its start was recorded).
     */
    RELEASE
  }

  public Completion {
    Objects.requireNonNull(lease, "lease");
    Objects.requireNonNull(outcome, "outcome");
    if (outcome == Outcome.RETRY) {
      Objects.requireNonNull(retryAt, "retryAt");
    }
    if (outcome != Outcome.RELEASE) {
      Objects.requireNonNull(startedAt, "startedAt");
    }
  }

  public static Completion succeeded(Lease lease, Instant startedAt, String resultJson) {
    return new Completion(lease, Outcome.SUCCEEDED, resultJson, null, null, startedAt);
  }

  public static Completion failed(Lease lease, Instant startedAt, JobError error) {
    return new Completion(lease, Outcome.FAILED, null, error, null, startedAt);
  }

  public static Completion retry(Lease lease, Instant startedAt, JobError error, Instant retryAt) {
    return new Completion(lease, Outcome.RETRY, null, error, retryAt, startedAt);
  }

  public static Completion release(Lease lease) {
    return new Completion(lease, Outcome.RELEASE, null, null, null, null);
  }

  /**
   * The job as it is after this completion is applied to {@code job}, which must be held by {@link
   * #lease()}: the one definition of each outcome, shared by every store.
   */
  public Job applyTo(Job job, Instant now) {
    if (!job.isHeldBy(lease)) {
      throw new IllegalStateException("job " + job.id() + " is not held by " + lease);
    }
    if (outcome == Outcome.RELEASE) {
      return job.released(now);
    }
    Job ran = job.isReserved() ? job.started(startedAt) : job;
    return switch (outcome) {
      case SUCCEEDED -> ran.finished(JobState.SUCCEEDED, result, null, now);
      case FAILED -> ran.finished(JobState.FAILED, null, error, now);
      case RETRY -> ran.retried(retryAt, error, now);
      case RELEASE -> throw new AssertionError();
    };
  }
}
