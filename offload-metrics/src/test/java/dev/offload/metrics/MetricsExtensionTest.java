package dev.offload.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.offload.Backoff;
import dev.offload.Job;
import dev.offload.JobSpec;
import dev.offload.JobState;
import dev.offload.Offload;
import dev.offload.demo.DemoTasks;
import dev.offload.server.OffloadServer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A real Offload (in-memory store, demo tasks) behind a real server; assertions on /metrics. */
class MetricsExtensionTest {
  private final HttpClient http = HttpClient.newHttpClient();
  private Offload offload;
  private OffloadServer server;

  @BeforeEach
  void start() {
    offload =
        Offload.builder()
            .tasks(DemoTasks.registry())
            .threads(2)
            .pollInterval(Duration.ofMillis(20))
            .shutdownGrace(Duration.ofMillis(200))
            .defaultBackoff(Backoff.of(Duration.ofMillis(10), Duration.ofMillis(10)))
            .build();
    server =
        OffloadServer.builder(offload)
            .port(0)
            .discoverExtensions(false)
            .addExtension(new MetricsExtension())
            .build()
            .start();
  }

  @AfterEach
  void stop() {
    server.stop();
    offload.close();
  }

  @Test
  void jobsAreCountedPerTaskAndQueueAndTimed() throws Exception {
    for (int i = 0; i < 3; i++) {
      assertThat(post("/jobs", "{\"task\":\"spin\",\"input\":{\"ms\":1}}").statusCode())
          .isEqualTo(202);
    }
    post("/jobs", "{\"task\":\"spin\",\"input\":{\"ms\":1},\"queue\":\"reports\"}");
    Job retried = offload.submit(JobSpec.of("flaky", Map.of("failures", 1)).maxAttempts(3));
    Job failed = offload.submit(JobSpec.of("flaky", Map.of("failures", 5)).maxAttempts(2));
    await().atMost(Duration.ofSeconds(10)).until(() -> allTerminal(retried, failed));
    assertThat(offload.job(retried.id()).state()).isEqualTo(JobState.SUCCEEDED);
    assertThat(offload.job(failed.id()).state()).isEqualTo(JobState.FAILED);

    // Waits of scheduled retries need a read of the job, done in the background.
    await()
        .atMost(Duration.ofSeconds(5))
        .until(
            () ->
                scrape()
                    .valueOrZero(
                        "offload_job_wait_seconds_count", "task", "flaky", "queue", "default"),
            n -> n == 4);
    Scrape m = scrape();

    String[] spin = {"task", "spin", "queue", "default"};
    String[] flaky = {"task", "flaky", "queue", "default"};
    assertThat(m.value("offload_jobs_submitted_total", spin)).isEqualTo(3);
    assertThat(m.value("offload_jobs_started_total", spin)).isEqualTo(3);
    assertThat(m.value("offload_jobs_succeeded_total", spin)).isEqualTo(3);
    assertThat(m.value("offload_jobs_failed_total", spin)).isZero();
    assertThat(m.value("offload_jobs_submitted_total", "task", "spin", "queue", "reports"))
        .isEqualTo(1);
    assertThat(m.value("offload_jobs_succeeded_total", "task", "spin", "queue", "reports"))
        .isEqualTo(1);

    // flaky 1 failure: 2 attempts; flaky 5 failures, 2 allowed: 2 attempts, then failed.
    assertThat(m.value("offload_jobs_submitted_total", flaky)).isEqualTo(2);
    assertThat(m.value("offload_jobs_started_total", flaky)).isEqualTo(4);
    assertThat(m.value("offload_jobs_retries_total", flaky)).isEqualTo(2);
    assertThat(m.value("offload_jobs_succeeded_total", flaky)).isEqualTo(1);
    assertThat(m.value("offload_jobs_failed_total", flaky)).isEqualTo(1);
    assertThat(m.value("offload_jobs_lease_expired_total", flaky)).isZero();
    assertThat(
            m.valueOrZero(
                "offload_job_run_seconds_count",
                "task",
                "spin",
                "queue",
                "default",
                "outcome",
                "cancelled"))
        .isZero();

    assertThat(m.value("offload_job_wait_seconds_count", spin)).isEqualTo(3);
    assertThat(
            m.value(
                "offload_job_run_seconds_count",
                "task",
                "spin",
                "queue",
                "default",
                "outcome",
                "succeeded"))
        .isEqualTo(3);
    assertThat(
            m.value(
                "offload_job_run_seconds_sum",
                "task",
                "spin",
                "queue",
                "default",
                "outcome",
                "succeeded"))
        .isGreaterThanOrEqualTo(0.003);
    assertThat(
            m.value(
                "offload_job_run_seconds_count",
                "task",
                "flaky",
                "queue",
                "default",
                "outcome",
                "retried"))
        .isEqualTo(2);
    assertThat(
            m.value(
                "offload_job_run_seconds_count",
                "task",
                "flaky",
                "queue",
                "default",
                "outcome",
                "failed"))
        .isEqualTo(1);
    // Histogram buckets are cumulative and end at +Inf with the count.
    assertThat(
            m.value(
                "offload_job_run_seconds_bucket",
                "task",
                "spin",
                "queue",
                "default",
                "outcome",
                "succeeded",
                "le",
                "+Inf"))
        .isEqualTo(3);
    assertThat(
            m.value(
                "offload_job_run_seconds_bucket",
                "task",
                "spin",
                "queue",
                "default",
                "outcome",
                "succeeded",
                "le",
                "3600.0"))
        .isEqualTo(3);

    // Depths come from counts cached for a second.
    m =
        await()
            .atMost(Duration.ofSeconds(3))
            .until(
                this::scrape,
                s -> s.value("offload_queue_depth", "queue", "default", "state", "succeeded") == 4);
    assertThat(m.value("offload_queue_depth", "queue", "default", "state", "failed")).isEqualTo(1);
    assertThat(m.value("offload_queue_depth", "queue", "reports", "state", "succeeded"))
        .isEqualTo(1);
    assertThat(m.value("offload_queue_depth", "queue", "reports", "state", "queued")).isZero();
    assertThat(m.value("offload_jobs_running")).isZero();
    assertThat(m.value("offload_workers")).isEqualTo(1);
    assertThat(m.value("offload_pool_parallelism")).isEqualTo(2);
    assertThat(m.value("offload_pool_active")).isZero();
    assertThat(m.value("offload_pool_saturation")).isZero();
    assertThat(m.value("offload_metrics_lookups_dropped_total")).isZero();
  }

  @Test
  void httpRequestsAreCountedByRoutePatternNotByPath() throws Exception {
    HttpResponse<String> created = post("/jobs", "{\"task\":\"spin\",\"input\":{\"ms\":0}}");
    String location = created.headers().firstValue("Location").orElseThrow();
    get(location);
    get(location);
    get("/jobs/00000000-0000-7000-8000-000000000000");
    post("/jobs", "{not json");
    get("/no/such/route");

    Scrape m = scrape();
    String[] getJob = {"method", "GET", "uri", "/jobs/{id}", "status", "200", "outcome", "SUCCESS"};
    assertThat(m.value("http_server_requests_seconds_count", getJob)).isEqualTo(2);
    assertThat(
            m.value(
                "http_server_requests_seconds_count",
                "method",
                "GET",
                "uri",
                "/jobs/{id}",
                "status",
                "404",
                "outcome",
                "CLIENT_ERROR"))
        .isEqualTo(1);
    assertThat(
            m.value(
                "http_server_requests_seconds_count",
                "method",
                "POST",
                "uri",
                "/jobs",
                "status",
                "202",
                "outcome",
                "SUCCESS"))
        .isEqualTo(1);
    assertThat(
            m.value(
                "http_server_requests_seconds_count",
                "method",
                "POST",
                "uri",
                "/jobs",
                "status",
                "400",
                "outcome",
                "CLIENT_ERROR"))
        .isEqualTo(1);
    assertThat(m.samples().keySet()).noneMatch(k -> k.contains(location));
    assertThat(m.samples().keySet())
        .anyMatch(k ->
            k.startsWith("http_server_requests_seconds_count{")
                && k.contains("status=\"404\"")
                && !k.contains("/jobs"));
    assertThat(m.value("http_server_requests_active")).isEqualTo(1); // this scrape
  }

  @Test
  void servesThePrometheusTextFormatWithJvmMeters() throws Exception {
    HttpResponse<String> res = get("/metrics");
    assertThat(res.statusCode()).isEqualTo(200);
    assertThat(res.headers().firstValue("Content-Type").orElseThrow())
        .startsWith("text/plain; version=0.0.4");
    assertThat(res.body())
        .contains("# TYPE offload_jobs_running gauge")
        .contains("# HELP offload_pool_saturation");
    Scrape m = Scrape.parse(res.body());
    assertThat(m.has("jvm_memory_used_bytes")).isTrue();
    assertThat(m.has("jvm_threads_live_threads")).isTrue();
    assertThat(m.has("process_uptime_seconds")).isTrue();
    // Queues with no jobs yet have no series; a new one shows up in the first scrape after it.
    assertThat(m.samples().keySet()).noneMatch(k -> k.contains("queue=\"later\""));
    offload.submit(JobSpec.of("spin", Map.of("ms", 0)).queue("later").delay(Duration.ofHours(1)));
    // Counts are cached for a second so scrapes do not load the store.
    await()
        .atMost(Duration.ofSeconds(3))
        .until(() ->
            scrape().valueOrZero("offload_queue_depth", "queue", "later", "state", "scheduled")
                == 1);
  }

  @Test
  void aCancelledRunningJobIsCountedWithItsRunTime() throws Exception {
    Job job = offload.submit(JobSpec.of("spin", Map.of("ms", 60_000)));
    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> offload.job(job.id()).state() == JobState.RUNNING);
    assertThat(post("/jobs/" + job.id() + "/cancel", "").statusCode()).isEqualTo(200);
    Scrape m = scrape();
    String[] spin = {"task", "spin", "queue", "default"};
    assertThat(m.value("offload_jobs_cancelled_total", spin)).isEqualTo(1);
    assertThat(
            m.value(
                "offload_job_run_seconds_count",
                "task",
                "spin",
                "queue",
                "default",
                "outcome",
                "cancelled"))
        .isEqualTo(1);
  }

  @Test
  void stoppingTheServerStopsCountingAndKeepsTheRegistryUsable() {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    OffloadServer other =
        OffloadServer.builder(offload)
            .port(0)
            .discoverExtensions(false)
            .addExtension(new MetricsExtension(registry, false))
            .build()
            .start();
    offload.submit(JobSpec.of("spin", Map.of("ms", 0)).queue("stop"));
    other.stop();
    offload.submit(JobSpec.of("spin", Map.of("ms", 0)).queue("stop"));
    assertThat(registry.get("offload.jobs.submitted").tags("queue", "stop").counter().count())
        .isEqualTo(1);
    assertThat(registry.find("jvm.memory.used").gauges()).isEmpty();
  }

  @Test
  void isFoundByServiceLoader() throws Exception {
    try (OffloadServer discovered = OffloadServer.builder(offload).port(0).build().start()) {
      HttpResponse<String> res =
          http.send(
              HttpRequest.newBuilder(URI.create(discovered.url() + "/metrics")).build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(res.statusCode()).isEqualTo(200);
      assertThat(res.body()).contains("offload_pool_parallelism");
    }
  }

  private boolean allTerminal(Job... jobs) {
    for (Job j : jobs) {
      if (!offload.job(j.id()).state().isTerminal()) {
        return false;
      }
    }
    return offload.counts().total(JobState.QUEUED) + offload.counts().total(JobState.RUNNING) == 0;
  }

  private Scrape scrape() throws Exception {
    HttpResponse<String> res = get("/metrics");
    assertThat(res.statusCode()).isEqualTo(200);
    return Scrape.parse(res.body());
  }

  private HttpResponse<String> get(String path) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create(server.url() + path)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> post(String path, String body) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create(server.url() + path))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
