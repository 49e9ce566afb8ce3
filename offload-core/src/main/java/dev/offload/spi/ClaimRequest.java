package dev.offload.spi;

import java.time.Instant;
import java.util.Objects;
import java.util.Set;

/**
 * A worker asking for work.
 *
 * @param workerId the claiming worker, becomes the lease owner
 * @param queues queues to take from; empty means every queue
 * @param max at most this many jobs
 * @param now the claim time (becomes {@code startedAt})
 * @param leaseExpiresAt the lease of each claimed job runs until then
 */
public record ClaimRequest(
    String workerId, Set<String> queues, int max, Instant now, Instant leaseExpiresAt) {
  public ClaimRequest {
    Objects.requireNonNull(workerId, "workerId");
    queues = queues == null ? Set.of() : Set.copyOf(queues);
    Objects.requireNonNull(now, "now");
    Objects.requireNonNull(leaseExpiresAt, "leaseExpiresAt");
    if (max < 1) {
      throw new IllegalArgumentException("max must be >= 1, was " + max);
    }
  }
}
