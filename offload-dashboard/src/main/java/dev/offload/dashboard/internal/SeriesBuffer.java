package dev.offload.dashboard.internal;

import dev.offload.JobState;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The last hour of job activity in per-minute buckets: a ring indexed by minute number, where a
 * bucket found holding an older minute is cleared before use. Memory is fixed (one bucket per
 * minute, each with two small histograms), so the dashboard's chart costs nothing to keep when no
 * one looks at it. Minutes are the server clock's, when the event arrived.
 */
public final class SeriesBuffer {
  /** Distinct queues tracked per minute; more are summed under {@link #OTHER_QUEUES}. */
  static final int MAX_QUEUES = 50;

  static final String OTHER_QUEUES = "(other)";

  private final InstantSource clock;
  private final Bucket[] ring;

  public SeriesBuffer(InstantSource clock, int minutes) {
    if (minutes < 1) {
      throw new IllegalArgumentException("minutes must be >= 1, was " + minutes);
    }
    this.clock = clock;
    this.ring = new Bucket[minutes];
    for (int i = 0; i < minutes; i++) {
      ring[i] = new Bucket();
    }
  }

  public synchronized void submitted() {
    bucket().submitted++;
  }

  /** An attempt started; {@code wait} since the job was queued, when known. */
  public synchronized void started(Duration wait) {
    Bucket b = bucket();
    b.started++;
    if (wait != null) {
      b.wait.record(wait);
    }
  }

  /** An attempt failed and will run again later; {@code runTime} when known. */
  public synchronized void retried(Duration runTime) {
    Bucket b = bucket();
    b.retried++;
    if (runTime != null) {
      b.run.record(runTime);
    }
  }

  /** A job ended in {@code state}; {@code runTime} of its last attempt when known. */
  public synchronized void finished(String queue, JobState state, Duration runTime) {
    Bucket b = bucket();
    long[] q = b.queue(queue);
    switch (state) {
      case SUCCEEDED -> {
        b.succeeded++;
        q[0]++;
      }
      case FAILED -> {
        b.failed++;
        q[1]++;
      }
      case CANCELLED -> {
        b.cancelled++;
        q[2]++;
      }
      default -> throw new IllegalArgumentException(state + " is not terminal");
    }
    if (runTime != null && state != JobState.CANCELLED) {
      b.run.record(runTime);
    }
  }

  /** Every minute of the window, oldest first, ending with the current one; empty ones zero. */
  public synchronized List<Minute> minutes() {
    long now = minuteOf(clock.instant());
    List<Minute> out = new ArrayList<>(ring.length);
    for (long m = now - ring.length + 1; m <= now; m++) {
      Bucket b = ring[slot(m)];
      out.add(b.minute == m ? b.snapshot(m) : Bucket.empty(m));
    }
    return out;
  }

  private Bucket bucket() {
    long m = minuteOf(clock.instant());
    Bucket b = ring[slot(m)];
    if (b.minute != m) {
      b.reset(m);
    }
    return b;
  }

  private int slot(long minute) {
    return (int) Math.floorMod(minute, (long) ring.length);
  }

  private static long minuteOf(Instant t) {
    return Math.floorDiv(t.getEpochSecond(), 60);
  }

  /** One minute of activity. {@code queues} maps a queue to its finished jobs that minute. */
  public record Minute(
      Instant start,
      long submitted,
      long started,
      long succeeded,
      long failed,
      long cancelled,
      long retried,
      Latency run,
      Latency queueWait,
      Map<String, QueueCounts> queues) {}

  /** Jobs finished in one queue in one minute. */
  public record QueueCounts(long succeeded, long failed, long cancelled) {}

  /** Summary of one minute's durations, in milliseconds (percentiles are ~10% estimates). */
  public record Latency(long count, double meanMs, double p50Ms, double p95Ms, double maxMs) {
    static final Latency NONE = new Latency(0, 0, 0, 0, 0);

    static Latency of(LatencyHistogram h) {
      return h.count() == 0
          ? NONE
          : new Latency(
              h.count(), h.meanMs(), h.percentileMs(0.5), h.percentileMs(0.95), h.maxMs());
    }
  }

  private static final class Bucket {
    long minute = Long.MIN_VALUE;
    long submitted;
    long started;
    long succeeded;
    long failed;
    long cancelled;
    long retried;
    LatencyHistogram run = new LatencyHistogram();
    LatencyHistogram wait = new LatencyHistogram();
    final Map<String, long[]> queues = new HashMap<>();

    void reset(long m) {
      minute = m;
      submitted = started = succeeded = failed = cancelled = retried = 0;
      run = new LatencyHistogram();
      wait = new LatencyHistogram();
      queues.clear();
    }

    long[] queue(String name) {
      long[] q = queues.get(name);
      if (q != null) {
        return q;
      }
      if (queues.size() < MAX_QUEUES) {
        q = new long[3];
        queues.put(name, q);
        return q;
      }
      return queues.computeIfAbsent(OTHER_QUEUES, k -> new long[3]);
    }

    Minute snapshot(long m) {
      Map<String, QueueCounts> qs = new TreeMap<>();
      queues.forEach((name, c) -> qs.put(name, new QueueCounts(c[0], c[1], c[2])));
      return new Minute(
          Instant.ofEpochSecond(m * 60),
          submitted,
          started,
          succeeded,
          failed,
          cancelled,
          retried,
          Latency.of(run),
          Latency.of(wait),
          qs);
    }

    static Minute empty(long m) {
      return new Minute(
          Instant.ofEpochSecond(m * 60), 0, 0, 0, 0, 0, 0, Latency.NONE, Latency.NONE, Map.of());
    }
  }
}
