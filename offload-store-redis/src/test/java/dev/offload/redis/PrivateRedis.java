package dev.offload.redis;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Assumptions;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;

/**
 * A redis-server of the test's own (own port, own data directory under {@code target/}), for tests
 * that must kill and restart it; never the machine's shared one.
 */
final class PrivateRedis implements AutoCloseable {
  private final Path dir;
  private final int port;
  private final List<String> persistence;
  private Process process;

  private PrivateRedis(Path dir, int port, List<String> persistence) {
    this.dir = dir;
    this.port = port;
    this.persistence = persistence;
  }

  /** Starts one with {@code persistence} options, e.g. {@code --appendonly yes}. */
  static PrivateRedis start(Path dir, String... persistence) throws IOException {
    String binary = System.getenv().getOrDefault("OFFLOAD_TEST_REDIS_SERVER", "redis-server");
    try {
      Process p = new ProcessBuilder(binary, "--version").redirectErrorStream(true).start();
      p.getInputStream().readAllBytes();
      p.waitFor(10, TimeUnit.SECONDS);
    } catch (IOException | InterruptedException e) {
      String why = "no " + binary + " to start a private Redis: " + e.getMessage();
      if ("true".equalsIgnoreCase(System.getenv("CI"))) {
        fail(why);
      }
      Assumptions.abort(why);
    }
    Files.createDirectories(dir);
    int port;
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    PrivateRedis redis = new PrivateRedis(dir.toAbsolutePath(), port, List.of(persistence));
    redis.start();
    return redis;
  }

  String url() {
    return "redis://127.0.0.1:" + port + "/0";
  }

  void start() throws IOException {
    List<String> cmd = new ArrayList<>();
    cmd.add(System.getenv().getOrDefault("OFFLOAD_TEST_REDIS_SERVER", "redis-server"));
    cmd.addAll(List.of("--port", "" + port, "--bind", "127.0.0.1", "--dir", dir.toString()));
    cmd.addAll(List.of("--daemonize", "no", "--save", ""));
    cmd.addAll(persistence);
    process =
        new ProcessBuilder(cmd)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("redis.log").toFile()))
            .start();
    Awaitility.await("private Redis on port " + port)
        .atMost(Duration.ofSeconds(20))
        .ignoreExceptions()
        .until(this::answers);
  }

  private boolean answers() {
    try (Jedis jedis =
        new Jedis(
            new HostAndPort("127.0.0.1", port),
            DefaultJedisClientConfig.builder().connectionTimeoutMillis(500).build())) {
      return "PONG".equals(jedis.ping());
    }
  }

  /** SIGKILL: no shutdown, no final save. */
  void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(10, TimeUnit.SECONDS);
  }

  @Override
  public void close() throws InterruptedException {
    if (process != null && process.isAlive()) {
      kill();
    }
  }
}
