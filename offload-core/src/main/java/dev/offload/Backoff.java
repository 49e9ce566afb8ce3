package dev.offload;

import java.time.Duration;
import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * Exponential backoff with "equal jitter" between attempts: the n-th retry waits {@code d/2 +
 * random(0, d/2)} where {@code d = min(max, initial * 2^(n-1))}. Jitter spreads retries of jobs
 * that failed together (a database blip) so they do not return together.
 *
 * <p>{@code Backoff.of(Duration.ofSeconds(1), Duration.ofMinutes(5))}
 */
public record Backoff(Duration initial, Duration max) {
  /** One second doubling up to five minutes. */
  public static final Backoff DEFAULT = new Backoff(Duration.ofSeconds(1), Duration.ofMinutes(5));

  public Backoff {
    Objects.requireNonNull(initial, "initial");
    Objects.requireNonNull(max, "max");
    if (initial.isNegative() || max.compareTo(initial) < 0) {
      throw new InvalidInputException(
          "backoff", "need 0 <= initial <= max, got initial=" + initial + " max=" + max);
    }
  }

  public static Backoff of(Duration initial, Duration max) {
    return new Backoff(initial, max);
  }

  /** The delay before the retry that follows failed attempt {@code attempt} (1-based). */
  public Duration delayAfter(int attempt, RandomGenerator random) {
    long initialNanos = initial.toNanos();
    long maxNanos = max.toNanos();
    int shift = Math.min(Math.max(attempt - 1, 0), 62);
    long d =
        initialNanos > (maxNanos >> shift) ? maxNanos : Math.min(maxNanos, initialNanos << shift);
    long half = d / 2;
    return Duration.ofNanos(half + (half == 0 ? 0 : random.nextLong(half + 1)));
  }
}
