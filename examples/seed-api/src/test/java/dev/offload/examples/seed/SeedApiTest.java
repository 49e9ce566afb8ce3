package dev.offload.examples.seed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.offload.Offload;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The three routes of the FastAPI original, with its JSON, on a real server. */
class SeedApiTest {
  static final ObjectMapper JSON = new ObjectMapper();
  static Offload offload;
  static SeedApi api;
  static HttpClient http;

  @BeforeAll
  static void start() {
    offload = Offload.builder().tasks(SeedApi.tasks()).threads(2).build();
    api = SeedApi.start(offload, "127.0.0.1", 0);
    http = HttpClient.newHttpClient();
  }

  @AfterAll
  static void stop() {
    http.close();
    api.close();
    offload.close();
  }

  record Answer(int status, JsonNode body) {}

  static Answer call(String method, String path) throws Exception {
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + api.port() + path))
                .method(method, HttpRequest.BodyPublishers.noBody())
                .build(),
            HttpResponse.BodyHandlers.ofString());
    return new Answer(r.statusCode(), JSON.readTree(r.body()));
  }

  @Test
  void getParamRunsAndWaits() throws Exception {
    Answer a = call("GET", "/20");
    assertThat(a.status()).isEqualTo(200);
    assertThat(a.body().size()).isEqualTo(1);
    assertThat(a.body().get("result").asLong()).isPositive();
    assertThat(call("GET", "/0").body().get("result").asLong()).isZero();
  }

  @Test
  void backgroundTaskAndItsStatus() throws Exception {
    Answer accepted = call("POST", "/new_cpu_bound_task/30");
    assertThat(accepted.status()).isEqualTo(202);
    assertThat(List.of(accepted.body().fieldNames().next())).containsExactly("uid");
    assertThat(accepted.body().get("status").asText()).isEqualTo("in_progress");
    assertThat(accepted.body().get("result").isNull()).isTrue();
    String uid = accepted.body().get("uid").asText();
    assertThat(UUID.fromString(uid)).isNotNull();

    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () -> call("GET", "/status/" + uid).body().get("status").asText().equals("complete"));
    Answer done = call("GET", "/status/" + uid);
    assertThat(done.status()).isEqualTo(200);
    assertThat(done.body().get("uid").asText()).isEqualTo(uid);
    assertThat(done.body().get("result").asLong()).isPositive();
  }

  @Test
  void badParametersGetFastApisValidationErrors() throws Exception {
    Answer notInt = call("GET", "/abc");
    assertThat(notInt.status()).isEqualTo(422);
    assertThat(notInt.body().toString())
        .isEqualTo(
            "{\"detail\":[{\"loc\":[\"path\",\"param\"],\"msg\":\"value is not a valid integer\",\"type\":\"type_error.integer\"}]}");
    assertThat(call("POST", "/new_cpu_bound_task/x").status()).isEqualTo(422);
    Answer notUuid = call("GET", "/status/42");
    assertThat(notUuid.status()).isEqualTo(422);
    assertThat(notUuid.body().at("/detail/0/type").asText()).isEqualTo("type_error.uuid");
    Answer unknown = call("GET", "/status/" + UUID.randomUUID());
    assertThat(unknown.status()).isEqualTo(404);
    assertThat(unknown.body().get("detail").asText()).isEqualTo("Not Found");
  }

  @Test
  void parametersAreBounded() throws Exception {
    Answer huge = call("GET", "/99999999999");
    assertThat(huge.status()).isEqualTo(422);
    assertThat(huge.body().at("/detail/0/type").asText()).isEqualTo("value_error.number.not_le");
    Answer negative = call("POST", "/new_cpu_bound_task/-1");
    assertThat(negative.status()).isEqualTo(422);
    assertThat(negative.body().at("/detail/0/type").asText())
        .isEqualTo("value_error.number.not_ge");
  }

  @Test
  void offloadAndWaitIsCancelledWhenTheClientLeaves() throws Exception {
    try (java.net.Socket socket = new java.net.Socket("127.0.0.1", api.port())) {
      socket
          .getOutputStream()
          .write(
              ("GET /" + SeedApi.MAX_PARAM + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
                  .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
      socket.getOutputStream().flush();
      await().atMost(Duration.ofSeconds(5)).until(() -> offload.poolStats().active() == 1);
    }
    // A minute of CPU was asked for; the core is free again within seconds of the client leaving.
    await().atMost(Duration.ofSeconds(5)).until(() -> offload.poolStats().active() == 0);
  }
}
