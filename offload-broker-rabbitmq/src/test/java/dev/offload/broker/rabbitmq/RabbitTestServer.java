package dev.offload.broker.rabbitmq;

import static org.junit.jupiter.api.Assertions.fail;

import com.rabbitmq.client.ConnectionFactory;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * The machine's RabbitMQ for tests: {@code OFFLOAD_TEST_AMQP_URL}, else {@code
 * amqp://guest:guest@127.0.0.1:5672/%2f}. Unreachable: tests are skipped, except under {@code
 * CI=true}, where they fail. {@link #restart()} restarts the local node with {@code rabbitmqctl}
 * and the start command the machine's notes give ({@code rabbitmq-server -detached}).
 */
final class RabbitTestServer {
  static final String URL =
      System.getenv()
          .getOrDefault("OFFLOAD_TEST_AMQP_URL", "amqp://guest:guest@127.0.0.1:5672/%2f");
  private static Boolean reachable;

  private RabbitTestServer() {}

  static synchronized void assumeAvailable() {
    if (reachable == null) {
      ConnectionFactory f = new ConnectionFactory();
      try {
        f.setUri(URL);
        f.setConnectionTimeout(3_000);
        f.newConnection().close();
        reachable = true;
      } catch (Exception e) {
        reachable = false;
      }
    }
    if (!reachable) {
      String why = "RabbitMQ at " + address() + " is not reachable";
      if ("true".equalsIgnoreCase(System.getenv("CI"))) {
        fail(why + " (CI=true: tests that need it fail instead of being skipped)");
      }
      Assumptions.abort(why + "; set OFFLOAD_TEST_AMQP_URL to run these tests");
    }
  }

  static InetSocketAddress address() {
    String rest = URL.substring(URL.indexOf("://") + 3);
    rest = rest.substring(rest.indexOf('@') + 1);
    int slash = rest.indexOf('/');
    String hostPort = slash >= 0 ? rest.substring(0, slash) : rest;
    int colon = hostPort.lastIndexOf(':');
    return new InetSocketAddress(
        hostPort.substring(0, colon), Integer.parseInt(hostPort.substring(colon + 1)));
  }

  /**
   * Stops the local node (its data kept) and starts it again; returns once it takes connections.
   */
  static void restart() throws IOException, InterruptedException {
    run(List.of("rabbitmqctl", "stop"), Duration.ofSeconds(60));
    run(List.of("rabbitmq-server", "-detached"), Duration.ofSeconds(30));
    // The node registers a moment after -detached returns; until then rabbitmqctl cannot reach it.
    Instant deadline = Instant.now().plusSeconds(120);
    while (Instant.now().isBefore(deadline)) {
      try (Socket s = new Socket()) {
        s.connect(address(), 500);
        run(List.of("rabbitmqctl", "await_startup", "--timeout", "60"), Duration.ofSeconds(70));
        return;
      } catch (IOException e) {
        Thread.sleep(200);
      }
    }
    throw new IOException("RabbitMQ did not come back on " + address() + " within 120 s");
  }

  private static void run(List<String> command, Duration limit)
      throws IOException, InterruptedException {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    if (!p.waitFor(limit.toSeconds(), TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IOException(command + " did not finish within " + limit);
    }
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (p.exitValue() != 0) {
      throw new IOException(command + " failed (" + p.exitValue() + "): " + out);
    }
  }
}
