package dev.offload.dashboard.internal;

import java.time.Duration;

/**
 * A fixed log-scale histogram of durations: buckets grow by 2^(1/4) (about 19%) from 0.1 ms to
 * about an hour, so a percentile read from it is within ~10% of the true value while one minute of
 * samples costs 100 longs however many jobs ran. Not thread-safe; {@link SeriesBuffer} guards it.
 */
final class LatencyHistogram {
  private static final double MIN_MS = 0.1;
  private static final double STEPS_PER_DOUBLING = 4;
  private static final int BUCKETS = 100;

  private final long[] counts = new long[BUCKETS + 1];
  private long count;
  private double sumMs;
  private double maxMs;

  void record(Duration d) {
    double ms = d.toNanos() / 1e6;
    counts[index(ms)]++;
    count++;
    sumMs += ms;
    maxMs = Math.max(maxMs, ms);
  }

  static int index(double ms) {
    if (ms <= MIN_MS) {
      return 0;
    }
    int i = (int) Math.ceil(Math.log(ms / MIN_MS) / Math.log(2) * STEPS_PER_DOUBLING);
    return Math.min(i, BUCKETS);
  }

  /** The upper bound of bucket {@code i} in ms. */
  static double upperMs(int i) {
    return MIN_MS * Math.pow(2, i / STEPS_PER_DOUBLING);
  }

  long count() {
    return count;
  }

  double meanMs() {
    return count == 0 ? 0 : sumMs / count;
  }

  double maxMs() {
    return maxMs;
  }

  /**
   * The value below which a fraction {@code q} of samples fall: the geometric middle of the bucket
   * holding that rank, capped by the largest sample seen; 0 without samples.
   */
  double percentileMs(double q) {
    if (count == 0) {
      return 0;
    }
    long rank = Math.max(1, (long) Math.ceil(q * count));
    long seen = 0;
    for (int i = 0; i < counts.length; i++) {
      seen += counts[i];
      if (seen >= rank) {
        double estimate = i == 0 ? MIN_MS : Math.sqrt(upperMs(i - 1) * upperMs(i));
        return Math.min(estimate, maxMs);
      }
    }
    return maxMs;
  }
}
