package dev.offload.spi;

import dev.offload.Lease;
import dev.offload.Progress;
import java.time.Instant;
import java.util.Objects;

/**
 * One lease's renewal, with its latest progress if it changed and, once, the start of its task
 * code.
 *
 * @param lease the lease being renewed
 * @param progress new progress, or {@code null} to keep the stored one
 * @param startedAt when the task code of a claimed job started, if the store has not been told yet:
 *     the store then marks the job running and charges the attempt. {@code null} for a job still
 *     waiting in the worker's prefetch buffer, or one already reported started.
 */
public record Heartbeat(Lease lease, Progress progress, Instant startedAt) {
  public Heartbeat {
    Objects.requireNonNull(lease, "lease");
  }

  /** A plain renewal. */
  public static Heartbeat of(Lease lease) {
    return new Heartbeat(lease, null, null);
  }
}
