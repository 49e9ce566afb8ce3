package dev.offload.dashboard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.offload.server.OffloadServer;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The dashboard's files and JSON over real HTTP, without a browser. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DashboardServerTest {
  private DemoServer demo;
  private Http http;

  @BeforeAll
  void start() {
    demo = new DemoServer();
    http = new Http(demo.url());
  }

  @AfterAll
  void stop() {
    demo.close();
  }

  @Test
  void rootServesThePageWithAStrictContentSecurityPolicy() {
    HttpResponse<String> res = http.get("/");
    assertThat(res.statusCode()).isEqualTo(200);
    assertThat(res.headers().firstValue("Content-Type").orElseThrow()).startsWith("text/html");
    assertThat(res.headers().firstValue("Content-Security-Policy").orElseThrow())
        .contains("default-src 'self'")
        .contains("script-src 'self'")
        .doesNotContain("unsafe");
    assertThat(res.body())
        .contains("<main id=\"main\"")
        .contains("<script type=\"module\" src=\"/dashboard/js/app.js\"></script>")
        // Everything from this origin: no CDN.
        .doesNotContain("https://")
        .doesNotContain("http://");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "js/app.js",
        "js/api.js",
        "js/live.js",
        "js/dom.js",
        "js/chart.js",
        "js/overview.js",
        "js/jobs.js",
        "js/job.js",
        "js/actions.js",
        "app.css",
        "favicon.svg"
      })
  void everyAssetIsServedWithItsTypeAndNoExternalReference(String name) {
    HttpResponse<String> res = http.get("/dashboard/" + name);
    assertThat(res.statusCode()).isEqualTo(200);
    String type = res.headers().firstValue("Content-Type").orElseThrow();
    assertThat(type)
        .startsWith(
            name.endsWith(".js")
                ? "text/javascript"
                : name.endsWith(".css") ? "text/css" : "image/svg+xml");
    assertThat(res.body()).doesNotContainPattern("https?://(?!www\\.w3\\.org)");
    String etag = res.headers().firstValue("ETag").orElseThrow();
    assertThat(http.get("/dashboard/" + name, "If-None-Match", etag).statusCode()).isEqualTo(304);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "/dashboard/nope.js",
        "/dashboard/../pom.xml",
        "/dashboard/%2e%2e/%2e%2e/pom.xml",
        "/dashboard/js/../../dev/offload/dashboard/DashboardExtension.class",
        "/dashboard/META-INF/services/dev.offload.server.ServerExtension",
        "/dashboard/index.html.bak"
      })
  void unknownOrEscapingPathsAreNotFound(String path) {
    HttpResponse<String> res = http.get(path);
    assertThat(res.statusCode()).isEqualTo(404);
    assertThat(res.headers().firstValue("Content-Type").orElseThrow())
        .isEqualTo("application/problem+json");
  }

  @Test
  void theJobEndpointAddsTheStackTraceAndTheStateChangesSeen() {
    String id = http.submit("{\"task\":\"flaky\",\"input\":{\"failures\":5},\"maxAttempts\":2}");
    await().atMost(Duration.ofSeconds(10)).until(() -> "failed".equals(http.state(id)));

    JsonNode publicJob = http.json("/jobs/" + id);
    assertThat(publicJob.path("error").has("detail")).isFalse();

    JsonNode job = http.json("/dashboard/api/jobs/" + id);
    assertThat(job.path("state").asText()).isEqualTo("failed");
    assertThat(job.path("error").path("message").asText())
        .isEqualTo("flaky: attempt 2 of 5 planned failures");
    assertThat(job.path("error").path("detail").asText())
        .startsWith("java.lang.IllegalStateException: flaky: attempt 2 of 5 planned failures")
        .contains("at dev.offload.demo.DemoTasks");
    assertThat(job.path("timeline").findValuesAsText("state"))
        .containsExactly("queued", "running", "scheduled", "running", "failed");
    assertThat(job.path("timeline").findValuesAsText("attempt"))
        .containsExactly("0", "1", "1", "2", "2");
  }

  @Test
  void unknownJobsAreProblems() {
    HttpResponse<String> missing =
        http.get("/dashboard/api/jobs/01a215ab-cbc5-7000-8575-4ebe63c25a30");
    assertThat(missing.statusCode()).isEqualTo(404);
    assertThat(Http.parse(missing.body()).path("type").asText()).endsWith("job-not-found");
    assertThat(http.get("/dashboard/api/jobs/not-an-id").statusCode()).isEqualTo(404);
  }

  @Test
  void theSeriesCoversTheLastHourMinuteByMinute() {
    String id = http.submit("{\"task\":\"spin\",\"queue\":\"series\",\"input\":{\"ms\":1}}");
    await().atMost(Duration.ofSeconds(10)).until(() -> "succeeded".equals(http.state(id)));
    JsonNode series = http.json("/dashboard/api/series");
    JsonNode minutes = series.path("minutes");
    assertThat(minutes).hasSize(60);
    long submitted = 0;
    long seriesQueue = 0;
    for (JsonNode m : minutes) {
      submitted += m.path("submitted").asLong();
      seriesQueue += m.path("queues").path("series").path("succeeded").asLong();
    }
    assertThat(submitted).isGreaterThanOrEqualTo(1);
    assertThat(seriesQueue).isEqualTo(1);
    JsonNode last = minutes.get(59);
    assertThat(last.path("run").has("p95Ms")).isTrue();
    assertThat(last.path("wait").has("p50Ms")).isTrue();
  }

  @Test
  void isFoundByServiceLoaderAndReplacesTheRedirect() {
    try (OffloadServer discovered = OffloadServer.builder(demo.offload).port(0).build().start()) {
      HttpResponse<String> res = new Http(discovered.url()).get("/");
      assertThat(res.statusCode()).isEqualTo(200);
      assertThat(res.body()).contains("Offload dashboard");
    }
  }
}
