package dev.offload;

import java.time.Instant;
import java.util.Optional;

/**
 * What a running task can see of its execution. Long-running tasks should call {@link
 * #checkCancelled()} (or {@link #isCancelled()}) between steps: threads cannot be stopped safely,
 * so cancellation and timeouts reach in-process tasks as an interrupt plus this flag.
 *
 * <pre>{@code
 * for (int i = 0; i < items.size(); i++) {
 *   ctx.checkCancelled();
 *   process(items.get(i));
 *   ctx.progress((i + 1.0) / items.size());
 * }
 * }</pre>
 */
public interface TaskContext {
  /** The job this attempt belongs to (for {@code run} and {@code map}, an id for the call). */
  JobId jobId();

  /** The 1-based attempt number. */
  int attempt();

  /** When the attempt's time limit runs out, if it has one. */
  Optional<Instant> deadline();

  /** Reports progress; cheap enough to call often (updates are coalesced). */
  void progress(double fraction, String message);

  default void progress(double fraction) {
    progress(fraction, null);
  }

  /** Whether the work was cancelled or timed out and should stop. */
  boolean isCancelled();

  /** Throws {@link java.util.concurrent.CancellationException} when {@link #isCancelled()}. */
  default void checkCancelled() {
    if (isCancelled()) {
      throw new java.util.concurrent.CancellationException("job " + jobId() + " was cancelled");
    }
  }
}
