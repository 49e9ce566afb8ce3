package dev.offload;

import java.time.Instant;
import java.util.Set;

/**
 * A worker as it registers itself in the store, so every instance can see every worker.
 *
 * @param id unique worker id (also the lease owner of its jobs)
 * @param host host name
 * @param pid process id
 * @param concurrency jobs it runs at once
 * @param running jobs it runs now
 * @param queues queues it takes from (empty: all)
 * @param startedAt when it started
 * @param lastHeartbeatAt when it last reported
 */
public record WorkerInfo(
    String id,
    String host,
    long pid,
    int concurrency,
    int running,
    Set<String> queues,
    Instant startedAt,
    Instant lastHeartbeatAt) {
  public WorkerInfo {
    queues = queues == null ? Set.of() : Set.copyOf(queues);
  }
}
