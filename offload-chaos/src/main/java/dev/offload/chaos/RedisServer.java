package dev.offload.chaos;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A redis-server of the run's own, with every write in its append-only file before it answers
 * ({@code --appendonly yes --appendfsync always}); a restart is a SIGKILL and a start on the same
 * port and directory, so the server reloads the AOF as after a crash.
 */
final class RedisServer implements StoreServer {
  private final Path dir;
  private final int port;
  private Process process;

  private RedisServer(Path dir, int port) {
    this.dir = dir;
    this.port = port;
  }

  static RedisServer start(Path runDir) throws IOException, InterruptedException {
    Path dir = runDir.resolve("redis");
    Files.createDirectories(dir);
    RedisServer redis = new RedisServer(dir.toAbsolutePath(), Processes.freePort());
    redis.startServer();
    return redis;
  }

  private static String binary() {
    return System.getenv().getOrDefault("OFFLOAD_TEST_REDIS_SERVER", "redis-server");
  }

  @Override
  public String url() {
    return "redis://127.0.0.1:" + port + "/0";
  }

  private void startServer() throws IOException, InterruptedException {
    List<String> command =
        List.of(
            binary(),
            "--port",
            Integer.toString(port),
            "--bind",
            "127.0.0.1",
            "--dir",
            dir.toString(),
            "--daemonize",
            "no",
            "--save",
            "",
            "--appendonly",
            "yes",
            "--appendfsync",
            "always");
    try {
      process =
          new ProcessBuilder(command)
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("redis.log").toFile()))
              .start();
    } catch (IOException e) {
      throw new MissingToolException(
          "cannot start "
              + binary()
              + " (install Debian's redis-server or set"
              + " OFFLOAD_TEST_REDIS_SERVER): "
              + e.getMessage());
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (!answers()) {
      if (!process.isAlive() || System.nanoTime() > deadline) {
        throw new IOException(
            "private redis-server on port " + port + " did not answer; see " + dir + "/redis.log");
      }
      Thread.sleep(50);
    }
  }

  private boolean answers() {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", port), 500);
      s.setSoTimeout(1_000);
      OutputStream out = s.getOutputStream();
      out.write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = s.getInputStream();
      byte[] reply = new byte[7];
      int n = in.readNBytes(reply, 0, 7);
      return new String(reply, 0, n, StandardCharsets.US_ASCII).startsWith("+PONG");
    } catch (IOException e) {
      return false;
    }
  }

  @Override
  public boolean restart() throws IOException, InterruptedException {
    kill();
    startServer();
    return true;
  }

  private void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(30, TimeUnit.SECONDS);
  }

  @Override
  public void close() throws InterruptedException {
    if (process != null && process.isAlive()) {
      kill();
    }
  }
}
