package dev.offload.cli;

import dev.offload.cli.internal.Printer;
import dev.offload.client.OffloadClient;
import java.io.PrintWriter;
import java.net.URI;
import picocli.CommandLine.Option;

/** The options every client command shares. */
final class ClientOptions {
  @Option(
      names = "--url",
      defaultValue = "${OFFLOAD_URL:-http://127.0.0.1:8080}",
      description = "The server (default: ${DEFAULT-VALUE}; env OFFLOAD_URL).")
  String url;

  @Option(
      names = "--token",
      defaultValue = "${OFFLOAD_TOKEN}",
      description =
          "The API token, sent as Authorization: Bearer (env OFFLOAD_TOKEN; prefer the env: a"
              + " command line is visible to other users of the machine).")
  String token;

  @Option(
      names = {"-o", "--output"},
      defaultValue = "table",
      description = "table or json (default: ${DEFAULT-VALUE}).")
  Format output;

  enum Format {
    table,
    json
  }

  OffloadClient client() {
    URI uri;
    try {
      uri = URI.create(url);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("--url: not a URL: " + url);
    }
    if (uri.getScheme() == null || uri.getHost() == null) {
      throw new IllegalArgumentException("--url: expected http://host:port, got " + url);
    }
    OffloadClient.Builder b = OffloadClient.builder(uri);
    if (token != null && !token.isBlank()) {
      b.token(token.strip());
    }
    return b.build();
  }

  Printer printer(PrintWriter out) {
    return new Printer(out, output.name());
  }
}
