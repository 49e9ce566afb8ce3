package dev.offload.broker.kafka;

import dev.offload.kafka.dev.KafkaDevBroker;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;

/**
 * A real single-node KRaft broker ({@link KafkaDevBroker}, Maven Central's kafka_2.13) in a child
 * JVM the tests own: restartable (same port, same log directory) and killable. It also listens on
 * PORT+1, advertised as {@link #proxyPort()}, where a test's TCP proxy sits.
 */
final class KafkaTestBroker implements AutoCloseable {
  private final int port;
  private final int proxyPort;
  private final Path dir;
  private Process process;

  private KafkaTestBroker(int port, int proxyPort, Path dir) {
    this.port = port;
    this.proxyPort = proxyPort;
    this.dir = dir;
  }

  static KafkaTestBroker start() throws IOException, InterruptedException {
    int port = freePortWithNextFree();
    int proxy = freePort();
    KafkaTestBroker b =
        new KafkaTestBroker(port, proxy, Files.createTempDirectory("offload-kafka-test-"));
    b.startProcess();
    return b;
  }

  String url() {
    return "kafka://127.0.0.1:" + port;
  }

  InetSocketAddress proxiedListener() {
    return new InetSocketAddress("127.0.0.1", port + 1);
  }

  int proxyPort() {
    return proxyPort;
  }

  private void startProcess() throws IOException, InterruptedException {
    String java = ProcessHandle.current().info().command().orElse("java");
    Path out = dir.resolve("broker.out");
    Files.deleteIfExists(out);
    process =
        new ProcessBuilder(
                java,
                "-Xmx512m",
                "-XX:+UseSerialGC",
                "-XX:TieredStopAtLevel=1",
                "-cp",
                System.getProperty("java.class.path"),
                KafkaDevBroker.class.getName(),
                Integer.toString(port),
                dir.resolve("data").toString(),
                Integer.toString(proxyPort))
            .redirectErrorStream(true)
            .redirectOutput(out.toFile())
            .start();
    Instant deadline = Instant.now().plus(Duration.ofSeconds(120));
    while (Instant.now().isBefore(deadline)) {
      String said = Files.exists(out) ? Files.readString(out) : "";
      if (said.contains("ready kafka://")) {
        return;
      }
      if (!process.isAlive()) {
        throw new IOException("the Kafka broker exited: " + said);
      }
      Thread.sleep(100);
    }
    throw new IOException("the Kafka broker did not start within 120 s: " + Files.readString(out));
  }

  /** Stops the broker (SIGTERM: a controlled shutdown) and starts it on the same data. */
  void restart() throws IOException, InterruptedException {
    stop();
    startProcess();
  }

  private void stop() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(60, TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor();
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  private static int freePortWithNextFree() throws IOException {
    for (int i = 0; i < 50; i++) {
      int p = freePort();
      try (ServerSocket next = new ServerSocket(p + 1)) {
        return p;
      } catch (IOException taken) {
        // try another pair
      }
    }
    throw new IOException("no two free neighbouring ports");
  }

  @Override
  public void close() throws InterruptedException {
    if (process != null) {
      stop();
    }
  }
}
