package dev.offload.metrics.internal;

import io.helidon.webserver.http.Filter;
import io.helidon.webserver.http.FilterChain;
import io.helidon.webserver.http.RoutingRequest;
import io.helidon.webserver.http.RoutingResponse;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Times every request as {@code http.server.requests} with Micrometer's usual tags: {@code method},
 * {@code uri} (the route's pattern such as {@code /jobs/{id}}, never the raw path, so ids do not
 * explode the series), {@code status} and {@code outcome}. Event streams are timed too: their time
 * is how long the client stayed.
 */
public final class HttpMetricsFilter implements Filter {
  private static final Duration[] BUCKETS = {
    Duration.ofMillis(1),
    Duration.ofMillis(5),
    Duration.ofMillis(10),
    Duration.ofMillis(25),
    Duration.ofMillis(50),
    Duration.ofMillis(100),
    Duration.ofMillis(250),
    Duration.ofMillis(500),
    Duration.ofSeconds(1),
    Duration.ofMillis(2500),
    Duration.ofSeconds(5),
    Duration.ofSeconds(10),
    Duration.ofSeconds(30)
  };

  private final MeterRegistry registry;
  private final AtomicInteger active = new AtomicInteger();
  private final Map<Key, Timer> timers = new ConcurrentHashMap<>();
  private final Runnable onStop;

  /** {@code onStop} runs when the server stops (the extension's resources close with it). */
  public HttpMetricsFilter(MeterRegistry registry, Runnable onStop) {
    this.registry = registry;
    this.onStop = onStop;
    Gauge.builder("http.server.requests.active", active, AtomicInteger::get)
        .description("Requests being handled now, event streams included")
        .register(registry);
  }

  @Override
  public void filter(FilterChain chain, RoutingRequest req, RoutingResponse res) {
    long start = System.nanoTime();
    active.incrementAndGet();
    boolean threw = true;
    try {
      chain.proceed();
      threw = false;
    } finally {
      active.decrementAndGet();
      int status = threw ? 500 : res.status().code();
      Key key =
          new Key(
              req.prologue().method().text(),
              uri(req.matchingPattern().orElse(null), status),
              status);
      timers
          .computeIfAbsent(key, this::timer)
          .record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
    }
  }

  /** Timers are cached by their tags: building a meter id per request would cost more. */
  private record Key(String method, String uri, int status) {}

  private Timer timer(Key k) {
    return Timer.builder("http.server.requests")
        .description("HTTP requests, by route and status")
        .tag("method", k.method())
        .tag("uri", k.uri())
        .tag("status", Integer.toString(k.status()))
        .tag("outcome", outcome(k.status()))
        .serviceLevelObjectives(BUCKETS)
        .register(registry);
  }

  static String uri(String pattern, int status) {
    if (pattern != null && !pattern.isEmpty()) {
      return pattern;
    }
    if (status == 404) {
      return "NOT_FOUND";
    }
    return status >= 300 && status < 400 ? "REDIRECTION" : "UNKNOWN";
  }

  static String outcome(int status) {
    if (status < 200) {
      return "INFORMATIONAL";
    } else if (status < 300) {
      return "SUCCESS";
    } else if (status < 400) {
      return "REDIRECTION";
    } else if (status < 500) {
      return "CLIENT_ERROR";
    }
    return "SERVER_ERROR";
  }

  @Override
  public void afterStop() {
    onStop.run();
  }
}
