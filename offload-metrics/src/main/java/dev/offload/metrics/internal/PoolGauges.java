package dev.offload.metrics.internal;

import dev.offload.Offload;
import dev.offload.spi.TaskExecutor.ExecutorStats;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.function.ToDoubleFunction;

/** The in-process CPU pool's load: {@link Offload#poolStats()} is a cheap in-memory read. */
public final class PoolGauges {
  private PoolGauges() {}

  public static void register(Offload offload, MeterRegistry registry) {
    gauge(
        registry,
        offload,
        "offload.pool.active",
        "Attempts running on the pool now",
        s -> s.active());
    gauge(
        registry,
        offload,
        "offload.pool.queued",
        "Attempts waiting for a pool thread",
        s -> s.queued());
    gauge(
        registry,
        offload,
        "offload.pool.parallelism",
        "Attempts the pool runs at once at most",
        s -> s.parallelism());
    gauge(
        registry,
        offload,
        "offload.pool.queue.capacity",
        "Attempts that may wait before the pool refuses work (429)",
        s -> s.queueCapacity());
    gauge(
        registry,
        offload,
        "offload.pool.saturation",
        "(active + queued) / (parallelism + queue capacity): 1 means new work is refused",
        s -> {
          double capacity = (double) s.parallelism() + s.queueCapacity();
          return capacity <= 0 ? 0 : (s.active() + s.queued()) / capacity;
        });
  }

  /**
   * Every executor's load, tagged {@code executor}: the pool as {@code cpu}, and each task's own
   * executor (a child-process pool: children kept, busy, attempts waiting) as {@code task:NAME}.
   */
  public static void registerExecutors(Offload offload, MeterRegistry registry) {
    for (String name : offload.executorStats().keySet()) {
      executorGauge(
          registry,
          offload,
          name,
          "offload.executor.parallelism",
          "Attempts the executor runs at once at most (child processes it keeps)",
          ExecutorStats::parallelism);
      executorGauge(
          registry,
          offload,
          name,
          "offload.executor.active",
          "Attempts running now (busy children)",
          ExecutorStats::active);
      executorGauge(
          registry,
          offload,
          name,
          "offload.executor.queued",
          "Attempts waiting for a thread or a child",
          ExecutorStats::queued);
    }
  }

  private static void executorGauge(
      MeterRegistry registry,
      Offload offload,
      String executor,
      String name,
      String description,
      ToDoubleFunction<ExecutorStats> value) {
    Gauge.builder(
            name,
            () -> {
              ExecutorStats s = offload.executorStats().get(executor);
              return s == null ? 0 : value.applyAsDouble(s);
            })
        .description(description)
        .tag("executor", executor)
        .register(registry);
  }

  private static void gauge(
      MeterRegistry registry,
      Offload offload,
      String name,
      String description,
      ToDoubleFunction<ExecutorStats> value) {
    Gauge.builder(name, () -> value.applyAsDouble(offload.poolStats()))
        .description(description)
        .register(registry);
  }
}
