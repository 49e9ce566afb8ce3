package dev.offload.dashboard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.offload.Backoff;
import dev.offload.Offload;
import dev.offload.demo.DemoTasks;
import dev.offload.server.ApiTokens;
import dev.offload.server.OffloadServer;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The dashboard on a server with API tokens: sign-in, the session cookie, CSRF, scopes. */
class DashboardSignInTest {
  static final String ADMIN = "dashboard-admin-token-0123";
  static final String READER = "dashboard-reader-token-0123";
  static final ObjectMapper JSON = new ObjectMapper();
  static Offload offload;
  static OffloadServer server;
  static HttpClient http = HttpClient.newHttpClient();

  @BeforeAll
  static void start() {
    offload =
        Offload.builder()
            .tasks(DemoTasks.registry())
            .threads(2)
            .pollInterval(Duration.ofMillis(20))
            .defaultBackoff(Backoff.of(Duration.ofMillis(10), Duration.ofMillis(20)))
            .build();
    server =
        OffloadServer.builder(offload)
            .port(0)
            .discoverExtensions(false)
            .addExtension(new DashboardExtension())
            .tokens(
                ApiTokens.parse(
                    "read,submit,admin " + ADMIN + "\nread " + ApiTokens.hashed(READER), "test"))
            .build()
            .start();
  }

  @AfterAll
  static void stop() {
    server.stop();
    offload.close();
    http.close();
  }

  record Answer(int status, HttpResponse<String> res) {
    JsonNode json() {
      try {
        return JSON.readTree(res.body());
      } catch (IOException e) {
        throw new AssertionError(res.body(), e);
      }
    }
  }

  static Answer send(String method, String path, String body, String... headers) {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(server.url() + path))
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body));
    if (body != null) {
      b.header("Content-Type", "application/json");
    }
    for (int i = 0; i < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
    }
    try {
      HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
      return new Answer(r.statusCode(), r);
    } catch (IOException e) {
      throw new AssertionError(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  record Session(String cookie, String csrf) {}

  static Session signIn(String token) {
    Answer a = send("POST", "/dashboard/api/session", "{\"token\":\"" + token + "\"}");
    assertThat(a.status()).as(a.res().body()).isEqualTo(200);
    String setCookie = a.res().headers().firstValue("Set-Cookie").orElseThrow();
    assertThat(setCookie)
        .startsWith("offload_session=")
        .contains("HttpOnly")
        .contains("SameSite=Strict")
        .contains("Path=/");
    assertThat(a.res().body()).doesNotContain(token);
    return new Session(
        setCookie.substring(0, setCookie.indexOf(';')), a.json().get("csrf").asText());
  }

  @Test
  void thePageLoadsAndAsksForATokenFirst() {
    assertThat(send("GET", "/", null).status()).isEqualTo(200);
    assertThat(send("GET", "/dashboard/js/session.js", null).status()).isEqualTo(200);
    JsonNode s = send("GET", "/dashboard/api/session", null).json();
    assertThat(s.get("tokensRequired").asBoolean()).isTrue();
    assertThat(s.get("signedIn").asBoolean()).isFalse();
    assertThat(send("GET", "/dashboard/api/series", null).status()).isEqualTo(401);
    assertThat(
            send("POST", "/dashboard/api/session", "{\"token\":\"wrong-token-000000000\"}")
                .status())
        .isEqualTo(401);
  }

  @Test
  void aSignedInBrowserReadsWithItsCookieAndActsOnlyWithItsCsrfToken() {
    Session s = signIn(ADMIN);
    assertThat(send("GET", "/jobs", null, "Cookie", s.cookie()).status()).isEqualTo(200);
    JsonNode me = send("GET", "/dashboard/api/session", null, "Cookie", s.cookie()).json();
    assertThat(me.get("signedIn").asBoolean()).isTrue();
    assertThat(me.get("csrf").asText()).isEqualTo(s.csrf());
    String id =
        send(
                "POST",
                "/jobs",
                "{\"task\":\"spin\",\"input\":{\"ms\":60000},\"delay\":\"PT1H\"}",
                "Authorization",
                "Bearer " + ADMIN)
            .json()
            .get("id")
            .asText();
    Answer noCsrf = send("POST", "/jobs/" + id + "/cancel", null, "Cookie", s.cookie());
    assertThat(noCsrf.status()).isEqualTo(403);
    assertThat(noCsrf.res().body()).contains("X-CSRF-Token");
    Answer wrong =
        send("POST", "/jobs/" + id + "/cancel", null, "Cookie", s.cookie(), "X-CSRF-Token", "x");
    assertThat(wrong.status()).isEqualTo(403);
    Answer ok =
        send(
            "POST",
            "/jobs/" + id + "/cancel",
            null,
            "Cookie",
            s.cookie(),
            "X-CSRF-Token",
            s.csrf());
    assertThat(ok.status()).as(ok.res().body()).isEqualTo(200);
    assertThat(send("DELETE", "/dashboard/api/session", null, "Cookie", s.cookie()).status())
        .isEqualTo(204);
    assertThat(send("GET", "/jobs", null, "Cookie", s.cookie()).status()).isEqualTo(401);
  }

  @Test
  void stackTracesAreForAdminsOnly() {
    String id =
        send(
                "POST",
                "/jobs",
                "{\"task\":\"flaky\",\"input\":{\"failures\":5},\"maxAttempts\":1}",
                "Authorization",
                "Bearer " + ADMIN)
            .json()
            .get("id")
            .asText();
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() ->
            send("GET", "/jobs/" + id, null, "Authorization", "Bearer " + ADMIN)
                .json()
                .get("state")
                .asText()
                .equals("failed"));
    Session reader = signIn(READER);
    JsonNode seenByReader =
        send("GET", "/dashboard/api/jobs/" + id, null, "Cookie", reader.cookie()).json();
    assertThat(seenByReader.at("/error/type").asText()).isNotEmpty();
    assertThat(seenByReader.at("/error/detail").isMissingNode()).isTrue();
    Session admin = signIn(ADMIN);
    JsonNode seenByAdmin =
        send("GET", "/dashboard/api/jobs/" + id, null, "Cookie", admin.cookie()).json();
    assertThat(seenByAdmin.at("/error/detail").asText()).contains("IllegalStateException");
  }
}
