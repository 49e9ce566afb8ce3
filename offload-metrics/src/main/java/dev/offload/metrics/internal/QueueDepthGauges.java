package dev.offload.metrics.internal;

import dev.offload.JobCounts;
import dev.offload.JobState;
import dev.offload.Offload;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gauges of jobs per queue and state, the running total and live workers, all read from one cached
 * {@link Offload#counts()} snapshot: a store count can be a real query (SQL {@code GROUP BY}), and
 * a scrape reads a dozen gauges, so they share one read per TTL. Queues appear as they are first
 * seen (in counts or in an event) and then report 0 when empty, so rates stay continuous.
 */
public final class QueueDepthGauges {
  private static final Logger LOG = LoggerFactory.getLogger(QueueDepthGauges.class);

  private final Offload offload;
  private final MeterRegistry registry;
  private final long ttlNanos;
  private final LongSupplier ticker;
  private final Set<String> queues = ConcurrentHashMap.newKeySet();

  private volatile Snapshot snapshot;

  /** {@code counts} is null (and workers -1) when the store did not answer. */
  private record Snapshot(JobCounts counts, int workers, long readAtNanos) {
    double count(String queue, JobState state) {
      if (counts == null) {
        return Double.NaN;
      }
      Map<JobState, Long> byState = counts.byQueue().get(queue);
      return byState == null ? 0 : byState.getOrDefault(state, 0L);
    }

    double running() {
      return counts == null ? Double.NaN : counts.total(JobState.RUNNING);
    }

    double liveWorkers() {
      return workers < 0 ? Double.NaN : workers;
    }
  }

  public QueueDepthGauges(
      Offload offload, MeterRegistry registry, Duration ttl, LongSupplier nanoTicker) {
    this.offload = offload;
    this.registry = registry;
    this.ttlNanos = ttl.toNanos();
    this.ticker = nanoTicker;
    Gauge.builder("offload.jobs.running", () -> snapshot().running())
        .description("Jobs running now, across all workers sharing the store")
        .register(registry);
    Gauge.builder("offload.workers", () -> snapshot().liveWorkers())
        .description("Workers that reported to the store recently")
        .register(registry);
  }

  /** Re-reads counts if stale and registers gauges for any new queue. */
  public void refresh() {
    JobCounts counts = snapshot().counts();
    if (counts != null) {
      counts.byQueue().keySet().forEach(this::queueSeen);
    }
  }

  /** Registers the gauges of {@code queue} unless already there. */
  public void queueSeen(String queue) {
    if (!queues.add(queue)) {
      return;
    }
    for (JobState state : JobState.values()) {
      Gauge.builder("offload.queue.depth", () -> snapshot().count(queue, state))
          .description("Jobs in a queue, per state")
          .tag("queue", queue)
          .tag("state", state.wireName())
          .register(registry);
    }
  }

  private Snapshot snapshot() {
    Snapshot s = snapshot;
    long now = ticker.getAsLong();
    if (s != null && now - s.readAtNanos() < ttlNanos) {
      return s;
    }
    synchronized (this) {
      s = snapshot;
      if (s != null && now - s.readAtNanos() < ttlNanos) {
        return s;
      }
      try {
        s = new Snapshot(offload.counts(), offload.workers().size(), now);
      } catch (RuntimeException e) {
        // The gauges read NaN until the store answers again (Prometheus shows the gap);
        // /health/ready is where the failure is reported.
        LOG.debug("reading job counts for metrics failed", e);
        s = new Snapshot(null, -1, now);
      }
      snapshot = s;
      return s;
    }
  }
}
