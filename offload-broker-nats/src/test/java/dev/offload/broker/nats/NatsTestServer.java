package dev.offload.broker.nats;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * A NATS server with JetStream that the tests own, so they may restart it: the machine's {@code
 * nats-server} binary ({@code OFFLOAD_TEST_NATS_SERVER}, default {@code /usr/sbin/nats-server}) on
 * a free port with its own store directory. Missing binary: tests are skipped, except under {@code
 * CI=true}, where they fail.
 */
final class NatsTestServer implements AutoCloseable {
  static final String BINARY =
      System.getenv().getOrDefault("OFFLOAD_TEST_NATS_SERVER", "/usr/sbin/nats-server");

  private final int port;
  private final Path dir;
  private Process process;

  private NatsTestServer(int port, Path dir) {
    this.port = port;
    this.dir = dir;
  }

  static NatsTestServer start() throws IOException {
    assumeBinary();
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    NatsTestServer server = new NatsTestServer(port, Files.createTempDirectory("offload-nats-"));
    server.startProcess();
    return server;
  }

  static void assumeBinary() {
    if (!Files.isExecutable(Path.of(BINARY))) {
      String why = "nats-server not found at " + BINARY;
      if ("true".equalsIgnoreCase(System.getenv("CI"))) {
        fail(why + " (CI=true: tests that need it fail instead of being skipped)");
      }
      Assumptions.abort(why + "; set OFFLOAD_TEST_NATS_SERVER to run these tests");
    }
  }

  String url() {
    return "nats://127.0.0.1:" + port;
  }

  InetSocketAddress address() {
    return new InetSocketAddress("127.0.0.1", port);
  }

  private void startProcess() throws IOException {
    process =
        new ProcessBuilder(
                BINARY,
                "-a",
                "127.0.0.1",
                "-p",
                Integer.toString(port),
                "-js",
                "-sd",
                dir.resolve("store").toString())
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("server.log").toFile())
            .start();
    Instant deadline = Instant.now().plusSeconds(20);
    while (Instant.now().isBefore(deadline)) {
      try (Socket s = new Socket()) {
        s.connect(address(), 200);
        return;
      } catch (IOException e) {
        if (!process.isAlive()) {
          throw new IOException(
              "nats-server exited: " + Files.readString(dir.resolve("server.log")));
        }
        sleep(Duration.ofMillis(50));
      }
    }
    throw new IOException("nats-server did not listen on " + port + " within 20 s");
  }

  /**
   * Stops the server (SIGTERM, so it syncs its store as on a service restart) and starts it again.
   */
  void restart() throws IOException, InterruptedException {
    process.destroy();
    if (!process.waitFor(20, TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor();
    }
    startProcess();
  }

  private static void sleep(Duration d) {
    try {
      Thread.sleep(d);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() throws InterruptedException {
    if (process != null) {
      process.destroy();
      process.waitFor(20, TimeUnit.SECONDS);
    }
  }
}
