package dev.offload.server;

import static dev.offload.server.HttpApiTest.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.offload.Offload;
import java.net.URI;
import java.net.http.HttpRequest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** A server with API tokens: 401 without one, 403 outside its scopes, health open. */
class TokenAccessTest {
  static final String READER = "reader-token-0123456789";
  static final String SUBMITTER = "submitter-token-0123456789";
  static final String ADMIN = "admin-token-0123456789abc";
  static Offload offload;
  static OffloadServer server;
  static RawHttp http;

  @BeforeAll
  static void start() {
    offload = Offload.builder().tasks(TestTasks.registry()).threads(2).build();
    ApiTokens tokens =
        ApiTokens.parse(
            "read "
                + READER
                + "\nread,submit "
                + SUBMITTER
                + "\nread,submit,admin "
                + ApiTokens.hashed(ADMIN),
            "test");
    server = OffloadServer.builder(offload).port(0).tokens(tokens).build().start();
    http = new RawHttp(server.url());
  }

  @AfterAll
  static void stop() {
    http.close();
    server.stop();
    offload.close();
  }

  static RawHttp.Answer get(String path, String token) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(server.url() + path)).GET();
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    return http.send(b);
  }

  static RawHttp.Answer post(String path, String body, String token) {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(server.url() + path))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body));
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    return http.send(b);
  }

  @Test
  void withoutATokenEveryApiRouteIs401() {
    RawHttp.Answer a = get("/jobs", null);
    assertProblem(a, 401, "unauthorized");
    assertThat(a.header("WWW-Authenticate")).startsWith("Bearer");
    assertProblem(get("/stats", null), 401, "unauthorized");
    assertProblem(get("/events", null), 401, "unauthorized");
    assertProblem(post("/jobs", "{\"task\":\"spin\"}", null), 401, "unauthorized");
    assertProblem(get("/jobs", "not-a-valid-token-at-all"), 401, "unauthorized");
    assertProblem(
        http.send(
            HttpRequest.newBuilder(URI.create(server.url() + "/jobs"))
                .header("Authorization", "Basic abc")
                .GET()),
        401,
        "unauthorized");
  }

  @Test
  void healthStaysOpen() {
    assertThat(get("/health/live", null).status()).isEqualTo(200);
    assertThat(get("/health/ready", null).status()).isEqualTo(200);
  }

  @Test
  void readTokensReadButDoNotSubmit() {
    assertThat(get("/jobs", READER).status()).isEqualTo(200);
    assertThat(get("/tasks", READER).status()).isEqualTo(200);
    RawHttp.Answer a = post("/tasks/spin/run", "{\"ms\":0}", READER);
    assertProblem(a, 403, "forbidden");
    assertThat(a.json().get("scope").asText()).isEqualTo("submit");
  }

  @Test
  void submitTokensSubmitButDoNotCancel() {
    assertThat(post("/tasks/spin/run", "{\"ms\":0}", SUBMITTER).status()).isEqualTo(200);
    RawHttp.Answer job = post("/jobs", "{\"task\":\"spin\",\"input\":{\"ms\":0}}", SUBMITTER);
    assertThat(job.status()).isEqualTo(202);
    String id = job.json().get("id").asText();
    RawHttp.Answer cancel = post("/jobs/" + id + "/cancel", "{}", SUBMITTER);
    assertProblem(cancel, 403, "forbidden");
    assertThat(cancel.json().get("scope").asText()).isEqualTo("admin");
    RawHttp.Answer delete =
        http.send(
            HttpRequest.newBuilder(URI.create(server.url() + "/jobs/" + id))
                .header("Authorization", "Bearer " + SUBMITTER)
                .DELETE());
    assertProblem(delete, 403, "forbidden");
  }

  @Test
  void adminTokensGivenAsSha256Work() {
    RawHttp.Answer job = post("/jobs", "{\"task\":\"spin\",\"input\":{\"ms\":0}}", ADMIN);
    String id = job.json().get("id").asText();
    RawHttp.Answer retry = post("/jobs/" + id + "/cancel", "{}", ADMIN);
    assertThat(retry.status()).isIn(200, 409);
  }

  @Test
  void theJavaClientSendsItsToken() {
    try (dev.offload.client.OffloadClient c =
        dev.offload.client.OffloadClient.builder(server.url()).token(SUBMITTER).build()) {
      assertThat(c.tasks()).isNotEmpty();
    }
    try (dev.offload.client.OffloadClient c =
        dev.offload.client.OffloadClient.builder(server.url()).build()) {
      assertThatThrownBy(c::tasks)
          .isInstanceOf(dev.offload.client.OffloadHttpException.class)
          .satisfies(e ->
              assertThat(((dev.offload.client.OffloadHttpException) e).status()).isEqualTo(401));
    }
  }

  @Test
  void aNonLoopbackBindWithoutTokensIsRefused() {
    assertThatThrownBy(() -> OffloadServer.builder(offload).host("0.0.0.0").port(0).build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("--tokens")
        .hasMessageContaining("--insecure");
    OffloadServer insecure =
        OffloadServer.builder(offload).host("0.0.0.0").port(0).insecure(true).build().start();
    try {
      assertThat(insecure.boundAddress()).startsWith("http://0.0.0.0:");
    } finally {
      insecure.stop();
    }
  }
}
