package dev.offload.metrics;

import dev.offload.Offload;
import dev.offload.metrics.internal.JobEventMetrics;
import dev.offload.metrics.internal.PoolGauges;
import dev.offload.metrics.internal.QueueDepthGauges;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.LongSupplier;

/**
 * Micrometer meters for an {@link Offload}: job counters and timings fed by its events, queue
 * depths from {@link Offload#counts()} (cached for a second, so frequent scrapes do not load the
 * store), and the CPU pool's load. Usable without the HTTP server, with any registry.
 *
 * <pre>{@code
 * MeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
 * try (OffloadMetrics metrics = OffloadMetrics.of(offload)) {
 *   metrics.bindTo(registry);
 *   ...
 * }
 * }</pre>
 *
 * <p>Meter names and tags are listed in {@code docs/DASHBOARD.md}.
 */
public final class OffloadMetrics implements MeterBinder, AutoCloseable {
  /** How long a {@link Offload#counts()} snapshot serves gauges before it is read again. */
  public static final Duration DEFAULT_COUNTS_TTL = Duration.ofSeconds(1);

  private final Offload offload;
  private final Duration countsTtl;
  private final LongSupplier nanoTicker;
  private final List<AutoCloseable> bound = new ArrayList<>();
  private QueueDepthGauges depth;

  private OffloadMetrics(Offload offload, Duration countsTtl, LongSupplier nanoTicker) {
    this.offload = Objects.requireNonNull(offload, "offload");
    this.countsTtl = Objects.requireNonNull(countsTtl, "countsTtl");
    if (countsTtl.isNegative()) {
      throw new IllegalArgumentException("countsTtl must not be negative, was " + countsTtl);
    }
    this.nanoTicker = Objects.requireNonNull(nanoTicker, "nanoTicker");
  }

  /** Meters for {@code offload}, queue depths cached for {@link #DEFAULT_COUNTS_TTL}. */
  public static OffloadMetrics of(Offload offload) {
    return new OffloadMetrics(offload, DEFAULT_COUNTS_TTL, System::nanoTime);
  }

  /**
   * Meters for {@code offload} with queue depths cached for {@code countsTtl} ({@link
   * Duration#ZERO}: read on every scrape), measured with {@code nanoTicker} (tests pass their own).
   */
  public static OffloadMetrics of(Offload offload, Duration countsTtl, LongSupplier nanoTicker) {
    return new OffloadMetrics(offload, countsTtl, nanoTicker);
  }

  /** Registers the meters and starts listening to job events; call once. */
  @Override
  public synchronized void bindTo(MeterRegistry registry) {
    if (depth != null) {
      throw new IllegalStateException("OffloadMetrics is already bound to a registry");
    }
    depth = new QueueDepthGauges(offload, registry, countsTtl, nanoTicker);
    depth.refresh();
    PoolGauges.register(offload, registry);
    // A store cap that drops finished jobs before their retention must never be silent.
    FunctionCounter.builder("offload.store.finished.dropped", offload, Offload::finishedDropped)
        .description("Finished jobs dropped before their retention ended, by a store size cap")
        .register(registry);
    PoolGauges.registerExecutors(offload, registry);
    JobEventMetrics events = new JobEventMetrics(offload, registry, depth::queueSeen);
    bound.add(events);
    bound.add(offload.subscribe(events));
  }

  /**
   * Reads the job counts now if the cached ones are stale, registering gauges for queues not seen
   * before; a scrape endpoint calls this first so a new queue shows up in the same scrape.
   */
  public synchronized void refresh() {
    if (depth != null) {
      depth.refresh();
    }
  }

  /** Stops listening to job events; the meters stay registered with their last values. */
  @Override
  public synchronized void close() {
    for (int i = bound.size() - 1; i >= 0; i--) {
      try {
        bound.get(i).close();
      } catch (Exception e) {
        throw new IllegalStateException("closing " + bound.get(i) + " failed", e);
      }
    }
    bound.clear();
  }
}
