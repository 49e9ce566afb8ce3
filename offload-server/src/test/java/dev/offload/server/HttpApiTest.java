package dev.offload.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.offload.Offload;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Every route and every error of the HTTP API, against a real server on a random port. */
class HttpApiTest {
  static Offload offload;
  static OffloadServer server;
  static RawHttp http;

  @BeforeAll
  static void start() {
    offload = Offload.builder().tasks(TestTasks.registry()).threads(2).build();
    server = OffloadServer.builder(offload).port(0).maxBodySize(4096).build().start();
    http = new RawHttp(server.url());
  }

  @AfterAll
  static void stop() {
    http.close();
    server.stop();
    offload.close();
  }

  static void assertProblem(RawHttp.Answer a, int status, String slug) {
    assertThat(a.status()).as(a.text()).isEqualTo(status);
    assertThat(a.header("Content-Type")).startsWith("application/problem+json");
    JsonNode p = a.json();
    assertThat(p.get("type").asText()).isEqualTo("urn:offload:problem:" + slug);
    assertThat(p.get("status").asInt()).isEqualTo(status);
    assertThat(p.get("title").asText()).isNotBlank();
    assertThat(p.get("detail").asText()).isNotBlank();
    assertThat(a.text()).doesNotContain("\tat ").doesNotContain("at dev.offload.");
  }

  // ---- run and map ------------------------------------------------------------------------

  @Test
  void runReturnsTheResult() {
    RawHttp.Answer a = http.post("/tasks/spin/run", "{\"ms\": 3}");
    assertThat(a.status()).isEqualTo(200);
    assertThat(a.header("Content-Type")).startsWith("application/json");
    assertThat(a.json().at("/result/iterations").asLong()).isPositive();
  }

  @Test
  void runPastItsTimeoutIs504AndCancelsTheWork() {
    String token = UUID.randomUUID().toString();
    RawHttp.Answer a =
        http.post(
            "/tasks/sleep/run?timeout=PT0.2S", "{\"ms\": 10000, \"token\": \"" + token + "\"}");
    assertProblem(a, 504, "timeout");
    await().atMost(Duration.ofSeconds(5)).until(() -> TestTasks.CANCELLED.contains(token));
  }

  @Test
  void aClientThatDisconnectsCancelsTheWork() throws Exception {
    String token = UUID.randomUUID().toString();
    String body = "{\"ms\": 20000, \"token\": \"" + token + "\"}";
    try (Socket socket = new Socket("127.0.0.1", server.port())) {
      OutputStream out = socket.getOutputStream();
      out.write(
          ("POST /tasks/sleep/run HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                  + "Content-Length: "
                  + body.getBytes(StandardCharsets.UTF_8).length
                  + "\r\n\r\n"
                  + body)
              .getBytes(StandardCharsets.UTF_8));
      out.flush();
      await().atMost(Duration.ofSeconds(5)).until(() -> TestTasks.STARTED.contains(token));
    }
    await().atMost(Duration.ofSeconds(5)).until(() -> TestTasks.CANCELLED.contains(token));
  }

  @Test
  void malformedJsonIs400() {
    assertProblem(http.post("/tasks/spin/run", "{\"ms\": "), 400, "malformed-json");
    assertProblem(http.post("/tasks/spin/run", "{\"ms\": 1} trailing"), 400, "malformed-json");
    assertProblem(http.post("/tasks/spin/run", ""), 400, "malformed-json");
    assertProblem(http.post("/jobs", "[1,"), 400, "malformed-json");
  }

  @Test
  void inputThatDoesNotFitIs422WithTheField() {
    RawHttp.Answer a = http.post("/tasks/spin/run", "{\"ms\": \"lots\"}");
    assertProblem(a, 422, "invalid-input");
    assertThat(a.json().get("field").asText()).isEqualTo("input.ms");
  }

  @Test
  void inputTheTaskRejectsIs422() {
    RawHttp.Answer a = http.post("/tasks/spin/run", "{\"ms\": -5}");
    assertProblem(a, 422, "invalid-input");
    assertThat(a.json().get("field").asText()).isEqualTo("input.ms");
  }

  @Test
  void unknownTaskIs404() {
    RawHttp.Answer a = http.post("/tasks/nope/run", "{}");
    assertProblem(a, 404, "task-not-found");
    assertThat(a.json().get("task").asText()).isEqualTo("nope");
    assertProblem(http.post("/tasks/nope/map", "[{}]"), 404, "task-not-found");
  }

  @Test
  void aBodyOverTheLimitIs413() {
    String big = "{\"ms\": 1, \"pad\": \"" + "x".repeat(5000) + "\"}";
    assertProblem(http.post("/tasks/spin/run", big), 413, "body-too-large");
    // Chunked: no Content-Length, so the limit applies while reading.
    RawHttp.Answer chunked =
        http.send(
            HttpRequest.newBuilder(URI.create(server.url() + "/jobs"))
                .header("Content-Type", "application/json")
                .POST(
                    HttpRequest.BodyPublishers.ofInputStream(() ->
                        (InputStream)
                            new ByteArrayInputStream(big.getBytes(StandardCharsets.UTF_8)))));
    assertProblem(chunked, 413, "body-too-large");
  }

  @Test
  void aTaskThatThrowsIs500WithoutAStackTrace() {
    RawHttp.Answer a = http.post("/tasks/boom/run", "{\"ms\": 7}");
    assertProblem(a, 500, "task-failed");
    assertThat(a.json().get("detail").asText()).contains("kaboom at 7");
  }

  @Test
  void mapReturnsResultsInInputOrder() {
    RawHttp.Answer a = http.post("/tasks/primes/map", "[{\"n\": 10}, {\"n\": 100}, {\"n\": 2}]");
    assertThat(a.status()).as(a.text()).isEqualTo(200);
    assertThat(a.json().get("results").findValuesAsText("count")).containsExactly("4", "25", "1");
  }

  @Test
  void mapErrorsNameTheElement() {
    assertProblem(http.post("/tasks/primes/map", "{\"n\": 10}"), 422, "invalid-input");
    RawHttp.Answer bad = http.post("/tasks/spin/map", "[{\"ms\": 1}, {\"ms\": \"x\"}]");
    assertProblem(bad, 422, "invalid-input");
    assertThat(bad.json().get("field").asText()).isEqualTo("input[1].ms");
    RawHttp.Answer failed = http.post("/tasks/boom/map", "[{\"ms\": 1}]");
    assertProblem(failed, 500, "task-failed");
    assertThat(failed.json().get("index").asInt()).isZero();
  }

  @Test
  void badQueryParametersAre400() {
    assertProblem(
        http.post("/tasks/spin/run?timeout=soon", "{\"ms\": 1}"), 400, "invalid-parameter");
    assertProblem(http.get("/jobs?limit=0"), 400, "invalid-parameter");
    assertProblem(http.get("/jobs?state=sleeping"), 400, "invalid-parameter");
    assertProblem(http.get("/jobs?cursor=abc"), 400, "invalid-parameter");
  }

  // ---- jobs -------------------------------------------------------------------------------

  @Test
  void submitIs202WithLocationAndTheJob() {
    RawHttp.Answer a =
        http.post(
            "/jobs",
            "{\"task\": \"spin\", \"input\": {\"ms\": 2}, \"queue\": \"q1\", \"priority\": 3,"
                + " \"maxAttempts\": 2, \"timeout\": \"PT30S\", \"idempotencyKey\": \"k-"
                + UUID.randomUUID()
                + "\"}");
    assertThat(a.status()).as(a.text()).isEqualTo(202);
    JsonNode job = a.json();
    assertThat(a.header("Location")).isEqualTo("/jobs/" + job.get("id").asText());
    assertThat(job.get("task").asText()).isEqualTo("spin");
    assertThat(job.get("queue").asText()).isEqualTo("q1");
    assertThat(job.get("priority").asInt()).isEqualTo(3);
    assertThat(job.get("maxAttempts").asInt()).isEqualTo(2);
    assertThat(job.get("timeout").asText()).isEqualTo("PT30S");
    assertThat(job.get("input").get("ms").asInt()).isEqualTo(2);
    assertThat(job.get("state").asText()).isIn("queued", "running", "succeeded");
    for (String field :
        new String[] {
          "result", "error", "progress", "attempts", "createdAt", "startedAt", "finishedAt", "runAt"
        }) {
      assertThat(job.has(field)).as(field).isTrue();
    }

    RawHttp.Answer done = http.get(a.header("Location") + "/result?wait=PT10S");
    assertThat(done.status()).isEqualTo(200);
    assertThat(done.json().get("state").asText()).isEqualTo("succeeded");
    assertThat(done.json().at("/result/iterations").asLong()).isPositive();
    assertThat(done.json().get("attempts").asInt()).isEqualTo(1);
    assertThat(done.json().get("startedAt").isTextual()).isTrue();
    assertThat(done.json().get("finishedAt").isTextual()).isTrue();

    RawHttp.Answer again = http.get(a.header("Location"));
    assertThat(again.status()).isEqualTo(200);
    assertThat(again.json().get("state").asText()).isEqualTo("succeeded");
  }

  @Test
  void aDelayedJobIsScheduled() {
    RawHttp.Answer a =
        http.post("/jobs", "{\"task\": \"spin\", \"input\": {\"ms\": 1}, \"delay\": \"1h\"}");
    assertThat(a.status()).isEqualTo(202);
    assertThat(a.json().get("state").asText()).isEqualTo("scheduled");
    http.post("/jobs/" + a.json().get("id").asText() + "/cancel", null);
  }

  @Test
  void badSubmissionsAreRefusedNamingTheField() {
    RawHttp.Answer noTask = http.post("/jobs", "{\"input\": {}}");
    assertProblem(noTask, 422, "invalid-input");
    assertThat(noTask.json().get("field").asText()).isEqualTo("task");
    RawHttp.Answer unknownField = http.post("/jobs", "{\"task\": \"spin\", \"colour\": 1}");
    assertProblem(unknownField, 422, "invalid-input");
    assertThat(unknownField.json().get("field").asText()).isEqualTo("colour");
    RawHttp.Answer badInput = http.post("/jobs", "{\"task\": \"spin\", \"input\": {\"ms\": []}}");
    assertProblem(badInput, 422, "invalid-input");
    assertThat(badInput.json().get("field").asText()).isEqualTo("input.ms");
    RawHttp.Answer badDelay = http.post("/jobs", "{\"task\": \"spin\", \"delay\": \"later\"}");
    assertProblem(badDelay, 422, "invalid-input");
    assertThat(badDelay.json().get("field").asText()).isEqualTo("delay");
    assertProblem(
        http.post("/jobs", "{\"task\": \"spin\", \"maxAttempts\": 0}"), 422, "invalid-input");
    assertProblem(http.post("/jobs", "[]"), 422, "invalid-input");
    assertProblem(http.post("/jobs", "{\"task\": \"nope\"}"), 404, "task-not-found");
  }

  @Test
  void unknownJobsAre404() {
    assertProblem(http.get("/jobs/" + UUID.randomUUID()), 404, "job-not-found");
    assertProblem(http.get("/jobs/not-a-uuid"), 404, "job-not-found");
    assertProblem(http.get("/jobs/" + UUID.randomUUID() + "/result"), 404, "job-not-found");
    assertProblem(http.post("/jobs/" + UUID.randomUUID() + "/cancel", null), 404, "job-not-found");
    assertProblem(http.post("/jobs/" + UUID.randomUUID() + "/retry", null), 404, "job-not-found");
    assertProblem(http.delete("/jobs/" + UUID.randomUUID()), 404, "job-not-found");
    assertProblem(http.get("/events?job=" + UUID.randomUUID()), 404, "job-not-found");
  }

  @Test
  void cancelRetryAndDelete() {
    String id =
        http.post("/jobs", "{\"task\": \"sleep\", \"input\": {\"ms\": 30000}, \"queue\": \"slow\"}")
            .json()
            .get("id")
            .asText();
    RawHttp.Answer cancelled = http.post("/jobs/" + id + "/cancel", null);
    assertThat(cancelled.status()).isEqualTo(200);
    assertThat(cancelled.json().get("state").asText()).isEqualTo("cancelled");

    RawHttp.Answer retried = http.post("/jobs/" + id + "/retry", null);
    assertThat(retried.status()).as(retried.text()).isEqualTo(200);
    assertThat(retried.json().get("state").asText()).isIn("queued", "running");
    http.post("/jobs/" + id + "/cancel", null);

    RawHttp.Answer deleted = http.delete("/jobs/" + id);
    assertThat(deleted.status()).isEqualTo(204);
    assertProblem(http.get("/jobs/" + id), 404, "job-not-found");
  }

  @Test
  void retryingASucceededJobIs409() {
    String id =
        http.post("/jobs", "{\"task\": \"spin\", \"input\": {\"ms\": 1}}")
            .json()
            .get("id")
            .asText();
    assertThat(http.get("/jobs/" + id + "/result?wait=10s").status()).isEqualTo(200);
    RawHttp.Answer a = http.post("/jobs/" + id + "/retry", null);
    assertProblem(a, 409, "job-state-conflict");
    assertThat(a.json().get("state").asText()).isEqualTo("succeeded");
  }

  @Test
  void resultWithoutTheJobFinishingIs202() {
    String id =
        http.post("/jobs", "{\"task\": \"spin\", \"input\": {\"ms\": 1}, \"delay\": \"PT1H\"}")
            .json()
            .get("id")
            .asText();
    long start = System.nanoTime();
    RawHttp.Answer a = http.get("/jobs/" + id + "/result?wait=300ms");
    assertThat(a.status()).isEqualTo(202);
    assertThat(a.header("Retry-After")).isEqualTo("1");
    assertThat(a.json().get("state").asText()).isEqualTo("scheduled");
    assertThat(Duration.ofNanos(System.nanoTime() - start))
        .isGreaterThanOrEqualTo(Duration.ofMillis(250));
    assertProblem(http.get("/jobs/" + id + "/result?wait=PT1H"), 400, "invalid-parameter");
    http.post("/jobs/" + id + "/cancel", null);
  }

  @Test
  void listingFiltersAndPages() {
    String queue = "list-" + UUID.randomUUID();
    for (int i = 0; i < 3; i++) {
      String id =
          http.post(
                  "/jobs",
                  "{\"task\": \"spin\", \"input\": {\"ms\": 1}, \"queue\": \"" + queue + "\"}")
              .json()
              .get("id")
              .asText();
      http.get("/jobs/" + id + "/result?wait=10s");
    }
    RawHttp.Answer first = http.get("/jobs?queue=" + queue + "&state=succeeded&task=spin&limit=2");
    assertThat(first.status()).isEqualTo(200);
    assertThat(first.json().get("items")).hasSize(2);
    String cursor = first.json().get("nextCursor").asText();
    RawHttp.Answer second =
        http.get("/jobs?queue=" + queue + "&state=succeeded&limit=2&cursor=" + cursor);
    assertThat(second.json().get("items")).hasSize(1);
    assertThat(second.json().get("nextCursor").isNull()).isTrue();
    assertThat(http.get("/jobs?queue=" + queue + "&state=failed,cancelled").json().get("items"))
        .isEmpty();
  }

  // ---- the instance -----------------------------------------------------------------------

  @Test
  void statsCountJobsPerStateAndQueue() {
    String queue = "stats-" + UUID.randomUUID();
    String id =
        http.post(
                "/jobs",
                "{\"task\": \"spin\", \"input\": {\"ms\": 1}, \"queue\": \"" + queue + "\"}")
            .json()
            .get("id")
            .asText();
    http.get("/jobs/" + id + "/result?wait=10s");
    JsonNode stats = http.get("/stats").json();
    assertThat(stats.at("/queues/" + queue + "/succeeded").asLong()).isEqualTo(1);
    assertThat(stats.at("/jobs/total").asLong()).isPositive();
    assertThat(stats.has("running")).isTrue();
    assertThat(stats.get("workers").isArray()).isTrue();
    assertThat(stats.at("/pool/parallelism").asInt()).isEqualTo(2);
  }

  @Test
  void tasksAreListedWithTheirInputSchema() {
    JsonNode tasks = http.get("/tasks").json().get("tasks");
    JsonNode spin = null;
    JsonNode nested = null;
    for (JsonNode t : tasks) {
      if (t.get("name").asText().equals("spin")) {
        spin = t;
      }
      if (t.get("name").asText().equals("nested")) {
        nested = t;
      }
    }
    assertThat(spin).isNotNull();
    assertThat(spin.get("description").asText()).isNotBlank();
    assertThat(spin.at("/inputSchema/type").asText()).isEqualTo("object");
    assertThat(spin.at("/inputSchema/properties/ms/type").asText()).isEqualTo("integer");
    assertThat(spin.at("/outputSchema/properties/iterations/type").asText()).isEqualTo("integer");
    assertThat(nested.at("/inputSchema/properties/sizes/items/type").asText()).isEqualTo("integer");
    assertThat(nested.at("/inputSchema/properties/weights/additionalProperties/type").asText())
        .isEqualTo("number");
    assertThat(nested.at("/inputSchema/properties/kind/enum/1").asText()).isEqualTo("LARGE");
    assertThat(nested.at("/inputSchema/properties/inner/properties/token/type").asText())
        .isEqualTo("string");
  }

  @Test
  void healthAnswers() {
    assertThat(http.get("/health/live").json().get("status").asText()).isEqualTo("UP");
    RawHttp.Answer ready = http.get("/health/ready");
    assertThat(ready.status()).isEqualTo(200);
    assertThat(ready.json().get("status").asText()).isEqualTo("UP");
  }

  @Test
  void docsAreServedFromTheJar() {
    RawHttp.Answer page = http.get("/docs");
    assertThat(page.status()).isEqualTo(200);
    assertThat(page.text())
        .contains("swagger-ui-bundle.js")
        .contains("/openapi.json")
        .doesNotContain("https://");
    RawHttp.Answer js = http.get("/docs/swagger-ui-bundle.js");
    assertThat(js.status()).isEqualTo(200);
    assertThat(js.header("Content-Type")).startsWith("text/javascript");
    assertThat(js.response().body().length).isGreaterThan(100_000);
    assertThat(http.get("/docs/swagger-ui.css").status()).isEqualTo(200);
    assertProblem(http.get("/docs/nothing.js"), 404, "not-found");
    assertThat(http.get("/openapi.json").json().get("openapi").asText()).startsWith("3.1");
  }

  @Test
  void rootRedirectsToTheDocsAndUnknownRoutesAre404() {
    RawHttp.Answer root = http.get("/");
    assertThat(root.status()).isEqualTo(302);
    assertThat(root.header("Location")).isEqualTo("/docs");
    assertProblem(http.get("/nowhere"), 404, "not-found");
    RawHttp.Answer wrongMethod = http.delete("/tasks");
    assertProblem(wrongMethod, 405, "method-not-allowed");
    assertThat(wrongMethod.header("Allow")).isEqualTo("GET");
    assertThat(http.get("/jobs/" + UUID.randomUUID() + "/cancel").header("Allow"))
        .isEqualTo("POST");
  }
}
