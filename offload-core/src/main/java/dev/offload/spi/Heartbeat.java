package dev.offload.spi;

import dev.offload.Lease;
import dev.offload.Progress;
import java.util.Objects;

/**
 * One running job's lease renewal, with its latest progress if it changed.
 *
 * @param lease the lease being renewed
 * @param progress new progress, or {@code null} to keep the stored one
 */
public record Heartbeat(Lease lease, Progress progress) {
  public Heartbeat {
    Objects.requireNonNull(lease, "lease");
  }
}
