package dev.offload;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A job as stored: what was asked ({@link JobSpec}) plus its state. Immutable; every change makes a
 * new record through the transition methods below, the one definition of each change that every
 * store applies (in Java, or mirrored in SQL or Lua and checked by the contract suite).
 *
 * <p>A claimed job stays {@code QUEUED} while it waits in a worker's prefetch buffer: it carries a
 * lease (owner, token, expiry) but no attempt is charged and it is not shown as running. It becomes
 * {@code RUNNING}, and the attempt is charged, when its task code starts ({@link #started}); the
 * worker reports that with its next heartbeat or with the attempt's completion, whichever comes
 * first, so short jobs cost no extra store write.
 *
 * @param id time-ordered identity
 * @param task registered task name
 * @param queue queue name ({@code "default"} unless set)
 * @param state current state
 * @param priority higher runs first among due jobs of a queue
 * @param input the task input as JSON text
 * @param result the task output as JSON text once succeeded, else {@code null}
 * @param error the error that made the job wait again or fail, {@code null} once it succeeded
 * @param progress the last reported progress, or {@code null}
 * @param attempts attempts charged so far: attempts whose task code started
 * @param maxAttempts attempts allowed before the job fails for good
 * @param backoff delay policy between attempts
 * @param timeout per-attempt time limit, or {@code null} for none
 * @param idempotencyKey a second submit with the same key returns this job, or {@code null}
 * @param createdAt when it was submitted
 * @param runAt when it becomes due (delays and retries)
 * @param startedAt when the current or last attempt started, or {@code null}
 * @param finishedAt when it reached a terminal state, or {@code null}
 * @param leaseOwner the worker holding it (claimed or running), else {@code null}
 * @param leaseExpiresAt when that worker's lease lapses unless renewed, else {@code null}
 * @param leaseToken the fencing token of the latest claim (0 before the first)
 * @param lostReservations claims that lapsed before the store learned the job started; a job with
 *     any must have its start recorded before its task code runs (see docs/ARCHITECTURE.md)
 * @param history the charged attempts that ended, oldest first
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
    Instant leaseExpiresAt,
    long leaseToken,
    int lostReservations,
    List<JobAttempt> history) {

  public Job {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(task, "task");
    Objects.requireNonNull(queue, "queue");
    Objects.requireNonNull(state, "state");
    Objects.requireNonNull(input, "input");
    Objects.requireNonNull(backoff, "backoff");
    Objects.requireNonNull(createdAt, "createdAt");
    Objects.requireNonNull(runAt, "runAt");
    history = history == null ? List.of() : List.copyOf(history);
    if (maxAttempts < 1) {
      throw new InvalidInputException("maxAttempts", "must be >= 1, was " + maxAttempts);
    }
  }

  /** A new job as submitted: no attempt, no lease, no history. */
  public static Job submitted(
      JobId id,
      String task,
      String queue,
      JobState state,
      int priority,
      String input,
      int maxAttempts,
      Backoff backoff,
      Duration timeout,
      String idempotencyKey,
      Instant createdAt,
      Instant runAt) {
    return new Job(
        id,
        task,
        queue,
        state,
        priority,
        input,
        null,
        null,
        null,
        0,
        maxAttempts,
        backoff,
        timeout,
        idempotencyKey,
        createdAt,
        runAt,
        null,
        null,
        null,
        null,
        0,
        0,
        List.of());
  }

  /** The current lease, for fenced updates by the worker that holds it. */
  public Lease lease() {
    if (leaseOwner == null) {
      throw new IllegalStateException("job " + id + " holds no lease (state " + state + ")");
    }
    return new Lease(id, leaseToken, leaseOwner);
  }

  /** Claimed by a worker: not yet started (see {@link #started}). */
  public boolean isReserved() {
    return state == JobState.QUEUED && leaseOwner != null;
  }

  /** The attempt number the next start of this job is charged as. */
  public int nextAttempt() {
    return state == JobState.RUNNING ? attempts : attempts + 1;
  }

  /** Whether a worker may claim it at {@code now}: due, and no live lease on it. */
  public boolean isClaimable(Instant now) {
    boolean due = state == JobState.QUEUED || (state == JobState.SCHEDULED && !runAt.isAfter(now));
    return due && (leaseOwner == null || leaseExpiresAt.isBefore(now));
  }

  /** A copy in state {@code next}; fails if the transition table forbids it. */
  public Job withState(JobState next) {
    return edit().state(transition(next)).build();
  }

  /**
   * Claimed by {@code owner} at {@code now}, leased until {@code until}: still {@code QUEUED}, a
   * new fencing token, no attempt charged. Taking over a lapsed claim counts a lost reservation.
   */
  public Job claimed(String owner, Instant now, Instant until) {
    if (!isClaimable(now)) {
      throw new IllegalStateException("job " + id + " is not claimable (state " + state + ")");
    }
    return edit()
        .state(state == JobState.SCHEDULED ? transition(JobState.QUEUED) : state)
        .progress(null)
        .lease(owner, until, leaseToken + 1)
        .lostReservations(lostReservations + (leaseOwner != null ? 1 : 0))
        .build();
  }

  /** Its task code started at {@code at}: running, and the attempt is charged. */
  public Job started(Instant at) {
    if (!isReserved()) {
      throw new IllegalStateException("job " + id + " is not claimed (state " + state + ")");
    }
    return edit().state(transition(JobState.RUNNING)).attempts(attempts + 1).startedAt(at).build();
  }

  /** Lease renewed until {@code until}, with new progress when not {@code null}. */
  public Job renewed(Instant until, Progress newProgress) {
    return edit()
        .progress(newProgress != null ? newProgress : progress)
        .lease(leaseOwner, until, leaseToken)
        .build();
  }

  /**
   * The running attempt ended in {@code terminal} state at {@code now}. A success clears the error
   * (earlier attempts' errors stay in the history).
   */
  public Job finished(JobState terminal, String newResult, JobError newError, Instant now) {
    if (!terminal.isTerminal()) {
      throw new IllegalArgumentException(terminal + " is not terminal");
    }
    Next next =
        edit()
            .state(transition(terminal))
            .result(newResult)
            .error(terminal == JobState.SUCCEEDED ? null : newError != null ? newError : error)
            .finishedAt(now)
            .lease(null, null, leaseToken);
    if (state == JobState.RUNNING) {
      next.attempt(outcomeOf(terminal), terminal == JobState.SUCCEEDED ? null : newError, now);
    }
    return next.build();
  }

  /** The running attempt failed and the job waits ({@code SCHEDULED}) until {@code retryAt}. */
  public Job retried(Instant retryAt, JobError newError, Instant now) {
    return edit()
        .state(transition(JobState.SCHEDULED))
        .error(newError)
        .runAt(retryAt)
        .attempt(JobAttempt.FAILED, newError, now)
        .lease(null, null, leaseToken)
        .build();
  }

  /**
   * Handed back by its worker without a verdict (shutdown, an executor that refused it): waiting
   * again at once, in its old place in line (its run-at is kept), and an attempt charged for it is
   * refunded.
   */
  public Job released(Instant now) {
    if (leaseOwner == null) {
      throw new IllegalStateException("job " + id + " holds no lease (state " + state + ")");
    }
    if (state == JobState.RUNNING) {
      return edit()
          .state(transition(JobState.QUEUED))
          .attempts(attempts - 1)
          .lease(null, null, leaseToken)
          .build();
    }
    return edit().lease(null, null, leaseToken).build();
  }

  /**
   * A running job whose lease lapsed at {@code now} (its worker died or stalled): the attempt is
   * charged and recorded; the job waits again while attempts remain, in its old place in line (its
   * run-at is kept, so a backlog does not delay its recovery), else fails.
   */
  public Job reaped(Instant now) {
    if (!leaseExpired(now)) {
      throw new IllegalStateException("job " + id + " has no lapsed lease at " + now);
    }
    JobError lapsed =
        new JobError(
            JobError.LEASE_EXPIRED,
            "lease of worker " + leaseOwner + " expired at " + leaseExpiresAt,
            null);
    if (attempts < maxAttempts) {
      return edit()
          .state(transition(JobState.QUEUED))
          .error(lapsed)
          .attempt(JobAttempt.LEASE_EXPIRED, lapsed, now)
          .lease(null, null, leaseToken)
          .build();
    }
    return edit()
        .state(transition(JobState.FAILED))
        .error(lapsed)
        .finishedAt(now)
        .attempt(JobAttempt.LEASE_EXPIRED, lapsed, now)
        .lease(null, null, leaseToken)
        .build();
  }

  /** Cancelled at {@code now}; a running attempt is recorded as cancelled. */
  public Job cancelled(Instant now) {
    JobError cancelled = new JobError(JobError.CANCELLED, "cancelled", null);
    Next next =
        edit()
            .state(transition(JobState.CANCELLED))
            .error(cancelled)
            .finishedAt(now)
            .lease(null, null, leaseToken);
    if (state == JobState.RUNNING) {
      next.attempt(JobAttempt.CANCELLED, cancelled, now);
    }
    return next.build();
  }

  /**
   * Put back to {@code QUEUED} by an operator after it failed or was cancelled, with a fresh
   * allowance of attempts on top of those already charged (attempt numbers keep rising, so the
   * history stays unambiguous); the history of earlier attempts is kept.
   */
  public Job requeued(Instant now) {
    return edit()
        .state(transition(JobState.QUEUED))
        .result(null)
        .error(null)
        .progress(null)
        .maxAttempts(attempts + maxAttempts)
        .runAt(now)
        .startedAt(null)
        .finishedAt(null)
        .lease(null, null, leaseToken)
        .lostReservations(0)
        .build();
  }

  /** Whether {@code lease} is the one this job is held under right now (claimed or running). */
  public boolean isHeldBy(Lease lease) {
    return (state == JobState.RUNNING || state == JobState.QUEUED)
        && leaseToken == lease.token()
        && lease.owner().equals(leaseOwner)
        && id.equals(lease.jobId());
  }

  /** Whether a running job's lease is due for reaping at {@code now}. */
  public boolean leaseExpired(Instant now) {
    return state == JobState.RUNNING && leaseExpiresAt != null && leaseExpiresAt.isBefore(now);
  }

  private static String outcomeOf(JobState terminal) {
    return switch (terminal) {
      case SUCCEEDED -> JobAttempt.SUCCEEDED;
      case CANCELLED -> JobAttempt.CANCELLED;
      default -> JobAttempt.FAILED;
    };
  }

  private JobState transition(JobState next) {
    if (!state.canTransitionTo(next)) {
      throw new IllegalStateException(
          "job " + id + ": illegal transition " + state + " -> " + next);
    }
    return next;
  }

  private Next edit() {
    return new Next(this);
  }

  /** A mutable copy for the transitions above; never escapes this class. */
  private static final class Next {
    private final Job from;
    private JobState state;
    private String result;
    private JobError error;
    private Progress progress;
    private int attempts;
    private int maxAttempts;
    private Instant runAt;
    private Instant startedAt;
    private Instant finishedAt;
    private String leaseOwner;
    private Instant leaseExpiresAt;
    private long leaseToken;
    private int lostReservations;
    private List<JobAttempt> history;

    Next(Job from) {
      this.from = from;
      state = from.state;
      result = from.result;
      error = from.error;
      progress = from.progress;
      attempts = from.attempts;
      maxAttempts = from.maxAttempts;
      runAt = from.runAt;
      startedAt = from.startedAt;
      finishedAt = from.finishedAt;
      leaseOwner = from.leaseOwner;
      leaseExpiresAt = from.leaseExpiresAt;
      leaseToken = from.leaseToken;
      lostReservations = from.lostReservations;
      history = from.history;
    }

    Next state(JobState v) {
      state = v;
      return this;
    }

    Next result(String v) {
      result = v;
      return this;
    }

    Next error(JobError v) {
      error = v;
      return this;
    }

    Next progress(Progress v) {
      progress = v;
      return this;
    }

    Next attempts(int v) {
      attempts = v;
      return this;
    }

    Next maxAttempts(int v) {
      maxAttempts = v;
      return this;
    }

    Next runAt(Instant v) {
      runAt = v;
      return this;
    }

    Next startedAt(Instant v) {
      startedAt = v;
      return this;
    }

    Next finishedAt(Instant v) {
      finishedAt = v;
      return this;
    }

    Next lease(String owner, Instant expiresAt, long token) {
      leaseOwner = owner;
      leaseExpiresAt = expiresAt;
      leaseToken = token;
      return this;
    }

    Next lostReservations(int v) {
      lostReservations = v;
      return this;
    }

    /** Appends the ending attempt (run by the current lease owner) to the history. */
    Next attempt(String outcome, JobError attemptError, Instant endedAt) {
      List<JobAttempt> more = new ArrayList<>(history.size() + 1);
      more.addAll(history);
      more.add(
          new JobAttempt(
              from.attempts, from.leaseOwner, from.startedAt, endedAt, outcome, attemptError));
      history = more;
      return this;
    }

    Job build() {
      return new Job(
          from.id,
          from.task,
          from.queue,
          state,
          from.priority,
          from.input,
          result,
          error,
          progress,
          attempts,
          maxAttempts,
          from.backoff,
          from.timeout,
          from.idempotencyKey,
          from.createdAt,
          runAt,
          startedAt,
          finishedAt,
          leaseOwner,
          leaseExpiresAt,
          leaseToken,
          lostReservations,
          history);
    }
  }
}
