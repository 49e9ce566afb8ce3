package dev.offload.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.offload.Offload;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** Graceful shutdown: new requests get 503, running work finishes and its callers get answers. */
class ShutdownTest {
  @Test
  void drainingRefusesNewWorkAndFinishesRunningWork() throws Exception {
    Offload offload =
        Offload.builder()
            .tasks(TestTasks.registry())
            .threads(2)
            .shutdownGrace(Duration.ofSeconds(10))
            .build();
    OffloadServer server = OffloadServer.builder(offload).port(0).build().start();
    try (RawHttp http = new RawHttp(server.url())) {
      String token = UUID.randomUUID().toString();
      CompletableFuture<RawHttp.Answer> running =
          CompletableFuture.supplyAsync(
              () -> http.post("/tasks/sleep/run", "{\"ms\": 1500, \"token\": \"" + token + "\"}"));
      await().atMost(Duration.ofSeconds(5)).until(() -> TestTasks.STARTED.contains(token));
      String jobId =
          http.post("/jobs", "{\"task\": \"sleep\", \"input\": {\"ms\": 800}}")
              .json()
              .get("id")
              .asText();

      CompletableFuture<Void> shutdown = CompletableFuture.runAsync(server::shutdownGracefully);
      await().atMost(Duration.ofSeconds(5)).until(server::isShuttingDown);

      HttpApiTest.assertProblem(http.post("/tasks/spin/run", "{\"ms\": 1}"), 503, "shutting-down");
      HttpApiTest.assertProblem(http.get("/jobs/" + jobId), 503, "shutting-down");
      RawHttp.Answer ready = http.get("/health/ready");
      assertThat(ready.status()).isEqualTo(503);
      assertThat(ready.json().get("status").asText()).isEqualTo("DOWN");
      assertThat(http.get("/health/live").status()).isEqualTo(200);

      RawHttp.Answer answer = running.get();
      assertThat(answer.status()).as(answer.text()).isEqualTo(200);
      assertThat(answer.json().at("/result/slept").asLong()).isEqualTo(1500);
      shutdown.get();
      assertThat(TestTasks.CANCELLED).doesNotContain(token);
    }
  }
}
