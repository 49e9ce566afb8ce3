package dev.offload.broker.rabbitmq;

import dev.offload.spi.BrokerNames;
import java.time.Duration;

/**
 * Where queue {@code q} lives: {@code PREFIX.q} (work), {@code PREFIX.q.dlq} (dead letters) and
 * {@code PREFIX.q.delay.MS} (one per retry delay, each with a fixed TTL that dead-letters back into
 * the work queue, so no message waits behind a longer one).
 */
record RabbitNames(String prefix, String queue) {
  String work() {
    return prefix + "." + BrokerNames.safe(queue);
  }

  String dead() {
    return work() + ".dlq";
  }

  String delay(long millis) {
    return work() + ".delay." + millis;
  }

  /**
   * The retry delay rounded up to the next of 1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8 times a power of
   * ten milliseconds: at most a third longer than asked, never shorter, and at most ten delay
   * queues per decade of delays.
   */
  static long tier(Duration delay) {
    long ms = Math.max(1, (delay.toNanos() + 999_999) / 1_000_000);
    long scale = 1;
    while (scale * 10 < ms) {
      scale *= 10;
    }
    for (int tenths : new int[] {10, 12, 15, 20, 25, 30, 40, 50, 60, 80, 100}) {
      long candidate = scale * tenths / 10;
      if (candidate >= ms && candidate > 0) {
        return candidate;
      }
    }
    return scale * 10;
  }
}
