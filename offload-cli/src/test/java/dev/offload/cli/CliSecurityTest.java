package dev.offload.cli;

import static dev.offload.cli.CliTest.cli;
import static dev.offload.cli.CliTest.serve;
import static org.assertj.core.api.Assertions.assertThat;

import dev.offload.server.ApiTokens;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code serve --tokens}, {@code --insecure}, the banner, and clients sending {@code --token}. */
class CliSecurityTest {
  static final String TOKEN = "cli-security-token-0123456789";

  @TempDir Path dir;

  @Test
  void aNonLoopbackHostWithoutTokensRefusesToStart() {
    CliTest.Result r = cli("serve", "--host", "0.0.0.0", "--port", "0", "--store", "memory:");
    assertThat(r.code()).isEqualTo(ExitCodes.USAGE);
    assertThat(r.err()).contains("--tokens").contains("--insecure");
  }

  @Test
  void theBannerPrintsTheRealAddress() throws Exception {
    CliTest.Serving s =
        serve("--host", "0.0.0.0", "--insecure", "--port", "0", "--store", "memory:");
    try {
      assertThat(s.url()).startsWith("http://0.0.0.0:");
      assertThat(s.out().toString()).contains("(no tokens)");
    } finally {
      s.stop();
    }
  }

  @Test
  void withTokensClientsMustSendOne() throws Exception {
    Path tokens = dir.resolve("tokens.txt");
    Files.writeString(tokens, "# test\nread,submit " + ApiTokens.hashed(TOKEN) + "\n");
    CliTest.Serving s = serve("--tokens", tokens.toString(), "--port", "0", "--store", "memory:");
    try {
      assertThat(s.out().toString()).contains("(1 API tokens)");
      CliTest.Result without = cli("tasks", "--url", s.url());
      assertThat(without.code()).isEqualTo(ExitCodes.REFUSED);
      assertThat(without.err()).contains("401");
      CliTest.Result with = cli("tasks", "--url", s.url(), "--token", TOKEN);
      assertThat(with.code()).as(with.err()).isZero();
      assertThat(with.out()).contains("spin");
      CliTest.Result cancel =
          cli("cancel", "01a215a7-8398-7000-b0ce-c30eb28077d6", "--url", s.url(), "--token", TOKEN);
      assertThat(cancel.err()).contains("403");
    } finally {
      s.stop();
    }
  }

  static int get(String url, String token) throws Exception {
    try (java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient()) {
      java.net.http.HttpRequest.Builder b =
          java.net.http.HttpRequest.newBuilder(java.net.URI.create(url));
      if (token != null) {
        b.header("Authorization", "Bearer " + token);
      }
      return http.send(b.build(), java.net.http.HttpResponse.BodyHandlers.discarding())
          .statusCode();
    }
  }

  @Test
  void metricsNeedReadUnlessOpen() throws Exception {
    Path tokens = dir.resolve("tokens.txt");
    Files.writeString(tokens, "read " + TOKEN + "\n");
    CliTest.Serving s = serve("--tokens", tokens.toString(), "--port", "0", "--store", "memory:");
    try {
      assertThat(get(s.url() + "/metrics", null)).isEqualTo(401);
      assertThat(get(s.url() + "/metrics", TOKEN)).isEqualTo(200);
      assertThat(get(s.url() + "/health/ready", null)).isEqualTo(200);
    } finally {
      s.stop();
    }
    CliTest.Serving open =
        serve("--tokens", tokens.toString(), "--metrics-open", "--port", "0", "--store", "memory:");
    try {
      assertThat(get(open.url() + "/metrics", null)).isEqualTo(200);
      assertThat(get(open.url() + "/stats", null)).isEqualTo(401);
    } finally {
      open.stop();
    }
  }

  @Test
  void aMissingTokensFileIsAUsageError() {
    CliTest.Result r = cli("serve", "--tokens", dir.resolve("nope.txt").toString(), "--port", "0");
    assertThat(r.code()).isEqualTo(ExitCodes.USAGE);
    assertThat(r.err()).contains("nope.txt");
  }
}
