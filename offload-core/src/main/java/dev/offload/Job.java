package dev.offload;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * A job as stored: what was asked ({@link JobSpec}) plus its state. Immutable; every change makes a
 * new record ({@code with…} methods), which is how stores and the engine pass jobs around.
 *
 * @param id time-ordered identity
 * @param task registered task name
 * @param queue queue name ({@code "default"} unless set)
 * @param state current state
 * @param priority higher runs first among due jobs of a queue
 * @param input the task input as JSON text
 * @param result the task output as JSON text once succeeded, else {@code null}
 * @param error the last attempt's error, or {@code null}
 * @param progress the last reported progress, or {@code null}
 * @param attempts attempts started so far; also the fencing token of the current lease
 * @param maxAttempts attempts allowed before the job fails for good
 * @param backoff delay policy between attempts
 * @param timeout per-attempt time limit, or {@code null} for none
 * @param idempotencyKey a second submit with the same key returns this job, or {@code null}
 * @param createdAt when it was submitted
 * @param runAt when it becomes due (delays and retries)
 * @param startedAt when the current or last attempt started, or {@code null}
 * @param finishedAt when it reached a terminal state, or {@code null}
 * @param leaseOwner the worker holding it while running, else {@code null}
 * @param leaseExpiresAt when that worker's lease lapses unless renewed, else {@code null}
 */
public record Job(
    JobId id,
    String task,
    String queue,
    JobState state,
    int priority,
    String input,
    String result,
    JobError error,
    Progress progress,
    int attempts,
    int maxAttempts,
    Backoff backoff,
    Duration timeout,
    String idempotencyKey,
    Instant createdAt,
    Instant runAt,
    Instant startedAt,
    Instant finishedAt,
    String leaseOwner,
    Instant leaseExpiresAt) {

  public Job {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(task, "task");
    Objects.requireNonNull(queue, "queue");
    Objects.requireNonNull(state, "state");
    Objects.requireNonNull(input, "input");
    Objects.requireNonNull(backoff, "backoff");
    Objects.requireNonNull(createdAt, "createdAt");
    Objects.requireNonNull(runAt, "runAt");
    if (maxAttempts < 1) {
      throw new InvalidInputException("maxAttempts", "must be >= 1, was " + maxAttempts);
    }
  }

  /** The current lease, for fenced updates by the worker that holds it. */
  public Lease lease() {
    if (state != JobState.RUNNING || leaseOwner == null) {
      throw new IllegalStateException("job " + id + " holds no lease (state " + state + ")");
    }
    return new Lease(id, attempts, leaseOwner);
  }

  /** A copy in state {@code next}; fails if the transition table forbids it. */
  public Job withState(JobState next) {
    if (!state.canTransitionTo(next)) {
      throw new IllegalStateException(
          "job " + id + ": illegal transition " + state + " -> " + next);
    }
    return new Job(
        id,
        task,
        queue,
        next,
        priority,
        input,
        result,
        error,
        progress,
        attempts,
        maxAttempts,
        backoff,
        timeout,
        idempotencyKey,
        createdAt,
        runAt,
        startedAt,
        finishedAt,
        leaseOwner,
        leaseExpiresAt);
  }

  /**
   * Claimed by {@code owner} at {@code now}: running, one more attempt, leased until {@code until}.
   */
  public Job claimed(String owner, Instant now, Instant until) {
    return new Job(
        id,
        task,
        queue,
        transition(JobState.RUNNING),
        priority,
        input,
        null,
        error,
        null,
        attempts + 1,
        maxAttempts,
        backoff,
        timeout,
        idempotencyKey,
        createdAt,
        runAt,
        now,
        null,
        owner,
        until);
  }

  /** Lease renewed until {@code until}, with new progress when not {@code null}. */
  public Job renewed(Instant until, Progress newProgress) {
    return new Job(
        id,
        task,
        queue,
        state,
        priority,
        input,
        result,
        error,
        newProgress != null ? newProgress : progress,
        attempts,
        maxAttempts,
        backoff,
        timeout,
        idempotencyKey,
        createdAt,
        runAt,
        startedAt,
        finishedAt,
        leaseOwner,
        until);
  }

  /** Finished in {@code terminal} state at {@code now} with the given result or error. */
  public Job finished(JobState terminal, String newResult, JobError newError, Instant now) {
    if (!terminal.isTerminal()) {
      throw new IllegalArgumentException(terminal + " is not terminal");
    }
    return new Job(
        id,
        task,
        queue,
        transition(terminal),
        priority,
        input,
        newResult,
        newError != null ? newError : error,
        progress,
        attempts,
        maxAttempts,
        backoff,
        timeout,
        idempotencyKey,
        createdAt,
        runAt,
        startedAt,
        now,
        null,
        null);
  }

  /** Waiting again ({@code QUEUED} or {@code SCHEDULED}) from {@code when}, lease dropped. */
  public Job pendingAgain(JobState pending, Instant when, JobError newError) {
    if (!pending.isPending()) {
      throw new IllegalArgumentException(pending + " is not a waiting state");
    }
    return new Job(
        id,
        task,
        queue,
        transition(pending),
        priority,
        input,
        null,
        newError != null ? newError : error,
        progress,
        attempts,
        maxAttempts,
        backoff,
        timeout,
        idempotencyKey,
        createdAt,
        when,
        startedAt,
        null,
        null,
        null);
  }

  /**
   * Put back to {@code QUEUED} by an operator after it failed or was cancelled, with a fresh
   * allowance of attempts on top of those already used (attempt numbers keep rising: they fence).
   */
  public Job requeued(Instant now) {
    return new Job(
        id,
        task,
        queue,
        transition(JobState.QUEUED),
        priority,
        input,
        null,
        null,
        null,
        attempts,
        attempts + maxAttempts,
        backoff,
        timeout,
        idempotencyKey,
        createdAt,
        now,
        null,
        null,
        null,
        null);
  }

  /** Whether {@code lease} is the one this job is running under right now. */
  public boolean isHeldBy(Lease lease) {
    return state == JobState.RUNNING
        && attempts == lease.attempt()
        && lease.owner().equals(leaseOwner)
        && id.equals(lease.jobId());
  }

  /** Whether the lease is due for reaping at {@code now}. */
  public boolean leaseExpired(Instant now) {
    return state == JobState.RUNNING && leaseExpiresAt != null && leaseExpiresAt.isBefore(now);
  }

  private JobState transition(JobState next) {
    if (!state.canTransitionTo(next)) {
      throw new IllegalStateException(
          "job " + id + ": illegal transition " + state + " -> " + next);
    }
    return next;
  }
}
