package dev.offload.metrics;

import dev.offload.metrics.internal.HttpMetricsFilter;
import dev.offload.server.ServerContext;
import dev.offload.server.ServerExtension;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.HttpRouting;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Serves {@code GET /metrics} in the Prometheus text format: the {@link OffloadMetrics} of the
 * server's Offload, HTTP request timings, and JVM and process meters. Found by {@link
 * java.util.ServiceLoader}, so having {@code offload-metrics} on the class path is enough.
 *
 * <pre>{@code
 * OffloadServer.builder(offload).addExtension(new MetricsExtension(myRegistry)).build().start();
 * // curl http://127.0.0.1:8080/metrics
 * }</pre>
 */
public final class MetricsExtension implements ServerExtension {
  /** The content type of the Prometheus text format 0.0.4, which every scraper reads. */
  static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

  private final PrometheusMeterRegistry registry;
  private final boolean jvmMetrics;
  private final List<AutoCloseable> resources = new ArrayList<>();

  /** A fresh Prometheus registry with JVM and process meters (what ServiceLoader uses). */
  public MetricsExtension() {
    this(new PrometheusMeterRegistry(PrometheusConfig.DEFAULT), true);
  }

  /**
   * Registers into {@code registry}, which the embedding application may share with its own meters;
   * {@code jvmMetrics} adds JVM memory, GC, threads, class loading, CPU, uptime and file descriptor
   * meters (leave it off if the application binds those already).
   */
  public MetricsExtension(PrometheusMeterRegistry registry, boolean jvmMetrics) {
    this.registry = Objects.requireNonNull(registry, "registry");
    this.jvmMetrics = jvmMetrics;
  }

  /** The registry {@code /metrics} renders. */
  public PrometheusMeterRegistry registry() {
    return registry;
  }

  @Override
  public void register(HttpRouting.Builder routing, ServerContext context) {
    OffloadMetrics offloadMetrics = OffloadMetrics.of(context.offload());
    offloadMetrics.bindTo(registry);
    resources.add(offloadMetrics);
    if (jvmMetrics) {
      JvmGcMetrics gc = new JvmGcMetrics();
      resources.add(gc);
      for (MeterBinder b :
          List.of(
              new JvmMemoryMetrics(),
              gc,
              new JvmThreadMetrics(),
              new ClassLoaderMetrics(),
              new ProcessorMetrics(),
              new UptimeMetrics(),
              new FileDescriptorMetrics())) {
        b.bindTo(registry);
      }
    }
    // The server has no stop hook for extensions; a filter's afterStop is the one Helidon calls.
    routing.addFilter(new HttpMetricsFilter(registry, this::closeResources));
    routing.get(
        "/metrics",
        (req, res) -> {
          offloadMetrics.refresh();
          res.header(HeaderNames.CONTENT_TYPE, CONTENT_TYPE);
          try (OutputStream out = res.outputStream()) {
            registry.scrape(out);
          }
        });
  }

  private synchronized void closeResources() {
    for (AutoCloseable r : resources) {
      try {
        r.close();
      } catch (Exception e) {
        throw new IllegalStateException("closing " + r + " failed", e);
      }
    }
    resources.clear();
  }

  @Override
  public String name() {
    return "metrics";
  }
}
