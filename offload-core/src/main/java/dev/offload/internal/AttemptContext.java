package dev.offload.internal;

import dev.offload.JobId;
import dev.offload.Progress;
import dev.offload.TaskContext;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.Future;

/**
 * The {@link TaskContext} of one attempt, and the engine's handle to stop it. Why it stopped
 * (cancelled, timed out, lease lost, released at shutdown) is recorded before the future is
 * cancelled, so the code that sees the future end knows what to report.
 */
public final class AttemptContext implements TaskContext {
  /** Why an attempt was stopped from outside; {@code NONE} while it was not. */
  public enum StopReason {
    NONE,
    CANCELLED,
    TIMED_OUT,
    LEASE_LOST,
    RELEASED
  }

  private final JobId jobId;
  private final int attempt;
  private final Instant deadline;
  private volatile StopReason stopReason = StopReason.NONE;
  private volatile Progress progress;
  private volatile boolean progressDirty;
  private volatile Future<?> future;

  public AttemptContext(JobId jobId, int attempt, Instant deadline) {
    this.jobId = jobId;
    this.attempt = attempt;
    this.deadline = deadline;
  }

  @Override
  public JobId jobId() {
    return jobId;
  }

  @Override
  public int attempt() {
    return attempt;
  }

  @Override
  public Optional<Instant> deadline() {
    return Optional.ofNullable(deadline);
  }

  @Override
  public void progress(double fraction, String message) {
    progress = new Progress(fraction, message);
    progressDirty = true;
  }

  /** The latest progress if it changed since the last call, else {@code null}. */
  public Progress takeProgress() {
    if (!progressDirty) {
      return null;
    }
    progressDirty = false;
    return progress;
  }

  @Override
  public boolean isCancelled() {
    return stopReason != StopReason.NONE || Thread.currentThread().isInterrupted();
  }

  /** Binds the running attempt's future, so {@link #stop} can cancel it. */
  public void bind(Future<?> attemptFuture) {
    this.future = attemptFuture;
    if (stopReason != StopReason.NONE) {
      attemptFuture.cancel(true);
    }
  }

  /** Stops the attempt for {@code reason}; the first reason wins. Returns whether it was first. */
  public boolean stop(StopReason reason) {
    synchronized (this) {
      if (stopReason != StopReason.NONE) {
        return false;
      }
      stopReason = reason;
    }
    Future<?> f = future;
    if (f != null) {
      f.cancel(true);
    }
    return true;
  }

  public StopReason stopReason() {
    return stopReason;
  }
}
