package dev.offload.server;

import static dev.offload.server.HttpApiTest.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import dev.offload.Offload;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Without tokens on loopback: what a web page in the developer's browser could try (text/plain
 * POSTs, a cross-site Origin, DNS rebinding with a foreign Host) is refused.
 */
class SafeDefaultsTest {
  static Offload offload;
  static OffloadServer server;
  static RawHttp http;

  @BeforeAll
  static void start() {
    offload = Offload.builder().tasks(TestTasks.registry()).threads(2).build();
    server = OffloadServer.builder(offload).port(0).build().start();
    http = new RawHttp(server.url());
  }

  @AfterAll
  static void stop() {
    http.close();
    server.stop();
    offload.close();
  }

  static RawHttp.Answer post(String path, String contentType, String body, String origin) {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(server.url() + path))
            .POST(HttpRequest.BodyPublishers.ofString(body));
    if (contentType != null) {
      b.header("Content-Type", contentType);
    }
    if (origin != null) {
      b.header("Origin", origin);
    }
    return http.send(b);
  }

  @Test
  void aNonJsonPostIs415() {
    String job = "{\"task\":\"spin\",\"input\":{\"ms\":0}}";
    assertProblem(post("/jobs", "text/plain", job, null), 415, "unsupported-media-type");
    assertProblem(
        post("/jobs", "application/x-www-form-urlencoded", job, null),
        415,
        "unsupported-media-type");
    assertProblem(post("/jobs", null, job, null), 415, "unsupported-media-type");
    assertThat(post("/jobs", "application/json; charset=utf-8", job, null).status()).isEqualTo(202);
  }

  @Test
  void aCrossSiteOriginIs403() {
    String job = "{\"task\":\"spin\",\"input\":{\"ms\":0}}";
    String id = post("/jobs", "application/json", job, null).json().get("id").asText();
    assertProblem(post("/jobs", "application/json", job, "http://evil.example"), 403, "forbidden");
    assertProblem(
        post("/jobs/" + id + "/cancel", "application/json", "{}", "http://evil.example"),
        403,
        "forbidden");
    assertProblem(post("/jobs", "application/json", job, "null"), 403, "forbidden");
    assertThat(post("/jobs", "application/json", job, server.url()).status()).isEqualTo(202);
  }

  @Test
  void aForeignHostIs403() throws Exception {
    assertThat(raw("GET /stats HTTP/1.1\r\nHost: attacker.example\r\nConnection: close\r\n\r\n"))
        .startsWith("HTTP/1.1 403")
        .contains("urn:offload:problem:forbidden");
    assertThat(
            raw(
                "GET /stats HTTP/1.1\r\nHost: localhost:"
                    + server.port()
                    + "\r\nConnection: close\r\n\r\n"))
        .startsWith("HTTP/1.1 200");
    // Health checks answer whatever the Host.
    assertThat(
            raw("GET /health/live HTTP/1.1\r\nHost: attacker.example\r\nConnection: close\r\n\r\n"))
        .startsWith("HTTP/1.1 200");
  }

  /** One HTTP/1.1 answer: the head and a Content-Length body (the connection may stay open). */
  static String readAnswer(InputStream in) throws java.io.IOException {
    StringBuilder head = new StringBuilder();
    while (!head.toString().endsWith("\r\n\r\n")) {
      int c = in.read();
      if (c < 0) {
        return head.toString();
      }
      head.append((char) c);
    }
    java.util.regex.Matcher m =
        java.util.regex.Pattern.compile("(?i)content-length: *(\\d+)").matcher(head);
    byte[] body = m.find() ? in.readNBytes(Integer.parseInt(m.group(1))) : new byte[0];
    return head + new String(body, StandardCharsets.UTF_8);
  }

  static String raw(String request) throws Exception {
    try (Socket socket = new Socket("127.0.0.1", server.port())) {
      socket.setSoTimeout(5_000);
      OutputStream out = socket.getOutputStream();
      out.write(request.getBytes(StandardCharsets.ISO_8859_1));
      out.flush();
      return readAnswer(socket.getInputStream());
    }
  }
}
