package dev.offload.spi;

import dev.offload.InvalidInputException;
import java.util.Set;

/**
 * What a worker asks a transport for.
 *
 * <p>{@code new ConsumeRequest(Set.of("default"), 8)}
 *
 * @param queues the queues to receive from (at least one)
 * @param maxUnacked the most deliveries this consumer holds unsettled at any time: the worker's
 *     capacity (free slots plus what it will start soon), never more. With several queues each gets
 *     an equal share, at least one (RabbitMQ and NATS count credit per queue).
 */
public record ConsumeRequest(Set<String> queues, int maxUnacked) {
  public ConsumeRequest {
    if (queues == null || queues.isEmpty()) {
      throw new InvalidInputException("queues", "at least one queue is required");
    }
    queues = Set.copyOf(queues);
    for (String q : queues) {
      JobMessage.checkQueue(q);
    }
    if (maxUnacked < 1) {
      throw new InvalidInputException("maxUnacked", "must be >= 1, was " + maxUnacked);
    }
  }

  /** This consumer's credit on each queue: an equal share of {@link #maxUnacked}, at least 1. */
  public int creditPerQueue() {
    return Math.max(1, maxUnacked / queues.size());
  }
}
