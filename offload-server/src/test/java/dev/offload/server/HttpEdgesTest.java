package dev.offload.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.offload.Offload;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * What arrives at the socket before (or instead of) a well-formed request: each gets a problem+json
 * answer at once, and none is logged as the server's ERROR.
 */
class HttpEdgesTest {
  static Offload offload;
  static OffloadServer server;
  final ListAppender<ILoggingEvent> log = new ListAppender<>();

  @BeforeAll
  static void start() {
    offload = Offload.builder().tasks(TestTasks.registry()).threads(2).build();
    server = OffloadServer.builder(offload).port(0).maxBodySize(4096).build().start();
  }

  @AfterAll
  static void stop() {
    server.stop();
    offload.close();
  }

  @BeforeEach
  void captureLog() {
    ((Logger) LoggerFactory.getLogger("dev.offload.server")).setLevel(Level.DEBUG);
    log.start();
    ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).addAppender(log);
  }

  @AfterEach
  void noErrorsLogged() {
    ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).detachAppender(log);
    ((Logger) LoggerFactory.getLogger("dev.offload.server")).setLevel(null);
    assertThat(log.list)
        .filteredOn(e -> e.getLevel().isGreaterOrEqual(Level.ERROR))
        .extracting(ILoggingEvent::getFormattedMessage)
        .isEmpty();
  }

  /** Sends {@code request} and reads one answer (head and Content-Length body) within 2 s. */
  static String exchange(byte[] request) throws Exception {
    try (Socket socket = new Socket("127.0.0.1", server.port())) {
      socket.setSoTimeout(2_000);
      OutputStream out = socket.getOutputStream();
      out.write(request);
      out.flush();
      InputStream in = socket.getInputStream();
      return SafeDefaultsTest.readAnswer(in);
    }
  }

  static String exchange(String request) throws Exception {
    return exchange(request.getBytes(StandardCharsets.ISO_8859_1));
  }

  static void assertProblem(String answer, int status) {
    assertThat(answer).startsWith("HTTP/1.1 " + status);
    assertThat(answer.toLowerCase(java.util.Locale.ROOT))
        .contains("content-type: application/problem+json");
    assertThat(answer).contains("\"type\":\"urn:offload:problem:").contains("\"status\":" + status);
  }

  @Test
  void http10IsAnsweredWithAProblem() throws Exception {
    // Helidon 4 speaks only HTTP/1.1 (docs/HTTP-API.md): the answer says so and how to fix a proxy.
    String a = exchange("GET /health/live HTTP/1.0\r\n\r\n");
    assertProblem(a, 426);
    assertThat(a).containsIgnoringCase("upgrade: HTTP/1.1");
    assertThat(a).contains("proxy_http_version 1.1");
  }

  @Test
  void aMalformedChunkSizeIs400AtOnce() throws Exception {
    long start = System.nanoTime();
    String a =
        exchange(
            "POST /jobs HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                + "Transfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n");
    assertProblem(a, 400);
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(2));
  }

  @Test
  void aNonAsciiMethodIs400NotAServerError() throws Exception {
    byte[] request =
        "\u00de\u00a4 / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1);
    assertProblem(exchange(request), 400);
  }

  @Test
  void aBadContentLengthIs400() throws Exception {
    assertProblem(
        exchange(
            "POST /jobs HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                + "Content-Length: abc\r\n\r\n{}"),
        400);
  }

  @Test
  void aHugeUrlIsAProblem() throws Exception {
    String a =
        exchange("GET /jobs?x=" + "a".repeat(100_000) + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
    assertThat(a).matches("(?s)HTTP/1.1 4\\d\\d.*");
    assertThat(a.toLowerCase(java.util.Locale.ROOT))
        .contains("content-type: application/problem+json");
    assertThat(a.length()).isLessThan(2_000);
  }

  @Test
  void aBadPercentEscapeIs400() throws Exception {
    assertProblem(exchange("GET /jobs?task=%zz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"), 400);
    assertProblem(exchange("GET /jobs/%zz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"), 400);
  }

  @Test
  void aClientLeavingMidBodyIsNoError() throws Exception {
    try (Socket socket = new Socket("127.0.0.1", server.port())) {
      OutputStream out = socket.getOutputStream();
      out.write(
          ("POST /jobs HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                  + "Content-Length: 1000\r\n\r\n{\"task\":")
              .getBytes(StandardCharsets.ISO_8859_1));
      out.flush();
    }
    // Logged at DEBUG once the server notices; nothing is an ERROR (checked after each test).
    await()
        .atMost(Duration.ofSeconds(5))
        .until(() ->
            log.list.stream()
                .anyMatch(e ->
                    e.getLevel() == Level.DEBUG
                        && e.getFormattedMessage().contains("client left")));
    assertThat(exchange("GET /health/live HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"))
        .startsWith("HTTP/1.1 200");
  }
}
