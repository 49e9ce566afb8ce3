package dev.offload.bench;

import dev.offload.Offload;
import dev.offload.demo.DemoTasks;
import dev.offload.server.ApiTokens;
import dev.offload.server.OffloadServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Arrays;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;

/**
 * What the API-token check costs: {@code POST /tasks/spin/run {"ms":0}} throughput of one server
 * without tokens against one with 20 tokens (the request carries the last one, so every entry is
 * compared), interleaved round by round so both see the same machine load; prints each round and
 * the median ratio. Also times {@link ApiTokens#check} alone, for the share of a request it is.
 *
 * <p>{@code java -cp offload-bench/target/benchmarks.jar dev.offload.bench.TokenOverhead [rounds]
 * [seconds] [clients]}
 */
public final class TokenOverhead {
  private TokenOverhead() {}

  public static void main(String[] args) throws Exception {
    if (args.length > 0 && args[0].equals("serve")) {
      serve(Integer.parseInt(args[1]), Integer.parseInt(args[2]));
      return;
    }
    if (args.length > 0 && args[0].equals("check")) {
      checkAlone(tokens20());
      return;
    }
    int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 11;
    int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
    int clients = args.length > 2 ? Integer.parseInt(args[2]) : 8;
    StringBuilder file = new StringBuilder();
    String token = null;
    for (int i = 0; i < 20; i++) {
      token = "bench-token-" + i + "-0123456789abcdef";
      file.append("read,submit ").append(i % 2 == 0 ? token : ApiTokens.hashed(token)).append('\n');
    }
    ApiTokens tokens = ApiTokens.parse(file.toString(), "bench");
    try (Offload offload = Offload.builder().tasks(DemoTasks.registry()).workers(false).build()) {
      OffloadServer open = OffloadServer.builder(offload).port(0).discoverExtensions(false).build();
      OffloadServer guarded =
          OffloadServer.builder(offload).port(0).discoverExtensions(false).tokens(tokens).build();
      open.start();
      guarded.start();
      try (HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()) {
        for (int warm = 0; warm < 2; warm++) {
          load(http, open.url(), null, 2, clients);
          load(http, guarded.url(), token, 2, clients);
        }
        double[] ratios = new double[rounds];
        double[] openRates = new double[rounds];
        double[] tokenRates = new double[rounds];
        for (int r = 0; r < rounds; r++) {
          boolean openFirst = r % 2 == 0;
          double a = openFirst ? load(http, open.url(), null, seconds, clients) : 0;
          double b = load(http, guarded.url(), token, seconds, clients);
          if (!openFirst) {
            a = load(http, open.url(), null, seconds, clients);
          }
          openRates[r] = a;
          tokenRates[r] = b;
          ratios[r] = b / a;
          System.out.printf(
              "round %2d: no tokens %8.0f req/s, tokens %8.0f req/s, ratio %.4f%n",
              r + 1, a, b, ratios[r]);
        }
        System.out.printf(
            "median: no tokens %.0f req/s, tokens %.0f req/s, ratio %.4f (cost %.2f%%)%n",
            median(openRates), median(tokenRates), median(ratios), (1 - median(ratios)) * 100);
      } finally {
        open.stop();
        guarded.stop();
      }
    }
    checkAlone(tokens);
  }

  static ApiTokens tokens20() {
    StringBuilder file = new StringBuilder();
    for (int i = 0; i < 20; i++) {
      String t = "bench-token-" + i + "-0123456789abcdef";
      file.append("read,submit ").append(i % 2 == 0 ? t : ApiTokens.hashed(t)).append('\n');
    }
    return ApiTokens.parse(file.toString(), "bench");
  }

  /**
   * The check alone, in this thread's CPU time (not wall time: other processes share the cores).
   */
  static void checkAlone(ApiTokens tokens) {
    java.lang.management.ThreadMXBean cpu =
        java.lang.management.ManagementFactory.getThreadMXBean();
    long n = 2_000_000;
    long sink = 0;
    for (int warm = 0; warm < 3; warm++) {
      for (int i = 0; i < n / 10; i++) {
        sink += tokens.check(TOKEN).isPresent() ? 1 : 0;
      }
    }
    long t0 = cpu.getCurrentThreadCpuTime();
    for (int i = 0; i < n; i++) {
      sink += tokens.check(TOKEN).isPresent() ? 1 : 0;
    }
    double nsPerCheck = (cpu.getCurrentThreadCpuTime() - t0) / (double) n;
    System.out.printf(
        "ApiTokens.check with 20 tokens: %.0f ns of CPU per call (%d)%n", nsPerCheck, sink % 2);
  }

  /** The token the servers of {@link #serve} accept (the last of 20). */
  static final String TOKEN = "bench-token-19-0123456789abcdef";

  /**
   * Serves both contenders until killed, for an external load generator ({@code
   * bin/bench-token-overhead} drives them with wrk and reads this process's CPU time).
   */
  static void serve(int openPort, int tokensPort) throws InterruptedException {
    StringBuilder file = new StringBuilder();
    for (int i = 0; i < 20; i++) {
      String t = "bench-token-" + i + "-0123456789abcdef";
      file.append("read,submit ").append(i % 2 == 0 ? t : ApiTokens.hashed(t)).append('\n');
    }
    Offload offload = Offload.builder().tasks(DemoTasks.registry()).workers(false).build();
    OffloadServer.builder(offload).port(openPort).discoverExtensions(false).build().start();
    OffloadServer.builder(offload)
        .port(tokensPort)
        .discoverExtensions(false)
        .tokens(ApiTokens.parse(file.toString(), "bench"))
        .build()
        .start();
    System.out.println("serving " + openPort + " (no tokens) and " + tokensPort + " (20 tokens)");
    Thread.currentThread().join();
  }

  /** Requests a second over {@code seconds}, {@code clients} keep-alive callers. */
  static double load(HttpClient http, String base, String token, int seconds, int clients)
      throws InterruptedException {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(base + "/tasks/spin/run"))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString("{\"ms\":0}"));
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    HttpRequest request = b.build();
    LongAdder done = new LongAdder();
    AtomicBoolean stop = new AtomicBoolean();
    long start = System.nanoTime();
    try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
      for (int c = 0; c < clients; c++) {
        pool.submit(() -> {
          while (!stop.get()) {
            HttpResponse<Void> res = http.send(request, HttpResponse.BodyHandlers.discarding());
            if (res.statusCode() != 200) {
              throw new IllegalStateException("HTTP " + res.statusCode());
            }
            done.increment();
          }
          return null;
        });
      }
      TimeUnit.SECONDS.sleep(seconds);
      stop.set(true);
    }
    return done.sum() / ((System.nanoTime() - start) / 1e9);
  }

  private static double median(double[] values) {
    double[] v = values.clone();
    Arrays.sort(v);
    return v[v.length / 2];
  }
}
