package dev.offload.cli.fuzz;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.offload.Offload;
import dev.offload.demo.DemoTasks;
import dev.offload.server.OffloadServer;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The seeded fuzz run (issue 14) against a real server on SQLite, PostgreSQL and Redis: no 5xx, no
 * request unanswered after 2 s, and threads, file descriptors and heap back to where they started.
 * 5,000 requests a store here; the long run is the same test with {@code -Dfuzz.requests=100000}
 * (docs/SECURITY.md, BENCHMARKS.md).
 */
@Tag("service")
class HttpFuzzTest {
  static final int REQUESTS = Integer.getInteger("fuzz.requests", 5_000);
  static final long SEED = Long.getLong("fuzz.seed", 14);
  static final int CLIENTS = Integer.getInteger("fuzz.clients", 4);
  static final java.util.List<String> STORES =
      java.util.List.of(System.getProperty("fuzz.stores", "sqlite,postgresql,redis").split(","));
  static final String PG = "postgresql://postgres@127.0.0.1:5432/test";
  static final String REDIS = "redis://127.0.0.1:6379/0";

  @TempDir Path dir;

  @ParameterizedTest
  @ValueSource(strings = {"sqlite", "postgresql", "redis"})
  void noFiveHundredsNoSilenceNoLeaks(String store) throws Exception {
    String suffix = HexFormat.of().formatHex(randomBytes());
    String url =
        switch (store) {
          case "sqlite" -> "sqlite:" + dir.resolve("fuzz.db");
          case "postgresql" -> PG + "?currentSchema=offload_fuzz_" + suffix;
          default -> REDIS + "?prefix=offload-fuzz-" + suffix;
        };
    Assumptions.assumeTrue(
        STORES.contains(store), () -> store + " not in -Dfuzz.stores=" + String.join(",", STORES));
    assumeReachable(store);
    try (Offload offload =
        Offload.builder().tasks(DemoTasks.registry()).storeUrl(url).threads(2).build()) {
      OffloadServer server = OffloadServer.builder(offload).port(0).build().start();
      try {
        // Strings no store keeps are 422 on every store, before the store sees them.
        for (String body :
            new String[] {
              "{\"task\":\"spin\",\"queue\":\"q\\u0000\"}",
              "{\"task\":\"spin\",\"idempotencyKey\":\"\\ud800\"}",
              "{\"task\":\"sha256\",\"input\":{\"text\":\"a\\u0000\",\"rounds\":1}}"
            }) {
          byte[] b = body.getBytes(java.nio.charset.StandardCharsets.UTF_8);
          String request =
              "POST /jobs HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                  + "Content-Length: "
                  + b.length
                  + "\r\n\r\n"
                  + body;
          assertThat(
                  FuzzRun.exchange(
                      server.port(), request.getBytes(java.nio.charset.StandardCharsets.UTF_8)))
              .as(body)
              .startsWith("HTTP/1.1 422")
              .contains("urn:offload:problem:invalid-input")
              .doesNotContain("SQL")
              .doesNotContain("offload_");
        }
        FuzzRun.run(server.port(), SEED + 1, 300, CLIENTS); // warm up: classes, pools, caches
        Resources before = Resources.now();
        FuzzRun.Result r = FuzzRun.run(server.port(), SEED, REQUESTS, CLIENTS);
        FuzzRun.lines(r).forEach(l -> System.out.println("fuzz " + store + ": " + l));
        assertThat(r.fiveHundreds()).as(String.join("\n", r.examples())).isZero();
        assertThat(r.unanswered()).as(String.join("\n", r.examples())).isZero();
        // Background jobs the run submitted finish; then resources are back near the start.
        await()
            .atMost(Duration.ofSeconds(60))
            .pollInterval(Duration.ofMillis(500))
            .until(() -> Resources.now().settledNear(before));
        Resources after = Resources.now();
        System.out.println("fuzz " + store + ": before " + before + ", after " + after);
      } finally {
        server.stop();
      }
    } finally {
      cleanUp(store, suffix);
    }
  }

  /** Threads, open file descriptors, heap in use after a GC. */
  record Resources(int threads, long fds, long heapMiB) {
    static Resources now() throws IOException {
      System.gc();
      long fds;
      try (Stream<Path> s = Files.list(Path.of("/proc/self/fd"))) {
        fds = s.count();
      }
      long heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed() >> 20;
      return new Resources(ManagementFactory.getThreadMXBean().getThreadCount(), fds, heap);
    }

    /** Within a few threads and descriptors, and 64 MiB of heap (the run added jobs). */
    boolean settledNear(Resources start) {
      return threads <= start.threads + 4 && fds <= start.fds + 8 && heapMiB <= start.heapMiB + 64;
    }
  }

  private static byte[] randomBytes() {
    byte[] b = new byte[4];
    ThreadLocalRandom.current().nextBytes(b);
    return b;
  }

  private static void assumeReachable(String store) {
    if (store.equals("sqlite")) {
      return;
    }
    String why = null;
    try {
      if (store.equals("postgresql")) {
        try (Connection c =
            DriverManager.getConnection("jdbc:postgresql://127.0.0.1:5432/test", "postgres", "")) {
          c.isValid(2);
        }
      } else {
        if (!redis("PING").startsWith("+PONG")) {
          throw new IOException("no PONG");
        }
      }
    } catch (Exception e) {
      why = store + " is not reachable on localhost: " + e.getMessage();
    }
    if (why != null) {
      if ("true".equalsIgnoreCase(System.getenv("CI"))) {
        throw new AssertionError(why + " (CI=true: a missing service is a failure)");
      }
      Assumptions.abort(why);
    }
  }

  /** One inline Redis command (the store modules' clients are not on the test's compile path). */
  private static String redis(String command) throws IOException {
    try (java.net.Socket s = new java.net.Socket("127.0.0.1", 6379)) {
      s.setSoTimeout(10_000);
      s.getOutputStream()
          .write((command + "\r\n").getBytes(java.nio.charset.StandardCharsets.UTF_8));
      byte[] buf = new byte[256];
      int n = s.getInputStream().read(buf);
      return n <= 0 ? "" : new String(buf, 0, n, java.nio.charset.StandardCharsets.UTF_8);
    }
  }

  private static void cleanUp(String store, String suffix) {
    try {
      if (store.equals("postgresql")) {
        try (Connection c =
                DriverManager.getConnection(
                    "jdbc:postgresql://127.0.0.1:5432/test", "postgres", "");
            Statement s = c.createStatement()) {
          s.execute("DROP SCHEMA IF EXISTS offload_fuzz_" + suffix + " CASCADE");
        }
      } else if (store.equals("redis")) {
        redis(
            "EVAL \"for _,k in ipairs(redis.call('keys',ARGV[1])) do redis.call('del',k) end"
                + " return 1\" 0 *offload-fuzz-"
                + suffix
                + "*");
      }
    } catch (Exception e) {
      System.err.println("fuzz: cleaning up " + store + " failed: " + e);
    }
  }
}
