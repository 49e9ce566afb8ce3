package dev.offload.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.offload.Offload;
import dev.offload.demo.DemoTasks;
import dev.offload.server.OffloadServer;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The CLI's commands and exit codes, run in-process (picocli) against a real server. */
class CliTest {
  static final ObjectMapper JSON = new ObjectMapper();
  static Offload offload;
  static OffloadServer server;

  @BeforeAll
  static void start() {
    offload = Offload.builder().tasks(DemoTasks.registry()).threads(2).build();
    server = OffloadServer.builder(offload).port(0).build().start();
  }

  @AfterAll
  static void stop() {
    server.stop();
    offload.close();
  }

  record Result(int code, String out, String err) {
    JsonNode json() {
      try {
        return JSON.readTree(out);
      } catch (Exception e) {
        throw new AssertionError("not JSON: " + out, e);
      }
    }
  }

  static Result cli(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = OffloadCli.run(new PrintWriter(out), new PrintWriter(err), args);
    return new Result(code, out.toString(), err.toString());
  }

  /** {@code offload serve ...} running in-process until {@link #stop}. */
  record Serving(String url, StringWriter out, Thread thread, CompletableFuture<Integer> code) {
    int stop() throws Exception {
      thread.interrupt();
      return code.get();
    }
  }

  static Serving serve(String... args) {
    String[] all = new String[args.length + 1];
    all[0] = "serve";
    System.arraycopy(args, 0, all, 1, args.length);
    return launch("listening on (http://\\S+)", all);
  }

  /** Runs a long-lived command in-process until its output matches {@code ready} (group 1: URL). */
  static Serving launch(String ready, String... args) {
    StringWriter out = new StringWriter();
    AtomicReference<Thread> thread = new AtomicReference<>();
    CompletableFuture<Integer> code =
        CompletableFuture.supplyAsync(() -> {
          thread.set(Thread.currentThread());
          return OffloadCli.run(
              new PrintWriter(out, true), new PrintWriter(new StringWriter(), true), args);
        });
    Pattern listening = Pattern.compile(ready);
    await().atMost(Duration.ofSeconds(30)).until(() -> listening.matcher(out.toString()).find());
    Matcher m = listening.matcher(out.toString());
    assertThat(m.find()).isTrue();
    return new Serving(m.group(1), out, thread.get(), code);
  }

  static Result client(String... args) {
    String[] all = new String[args.length + 2];
    System.arraycopy(args, 0, all, 0, args.length);
    all[args.length] = "--url";
    all[args.length + 1] = server.url();
    return cli(all);
  }

  @Test
  void submitWaitStatusJobsAndTasks() {
    Result submitted =
        client(
            "submit", "spin", "--input", "{\"ms\": 5}", "--queue", "cli", "--wait", "-o", "json");
    assertThat(submitted.code()).as(submitted.err()).isZero();
    assertThat(submitted.json().get("state").asText()).isEqualTo("succeeded");
    String id = submitted.json().get("id").asText();

    Result status = client("status", id);
    assertThat(status.code()).isZero();
    assertThat(status.out()).contains("state        succeeded").contains("iterations");

    Result jobs = client("jobs", "--state", "succeeded", "--task", "spin");
    assertThat(jobs.code()).isZero();
    assertThat(jobs.out()).startsWith("ID").contains(id);
    Result jobsJson = client("jobs", "--queue", "cli", "-o", "json");
    assertThat(jobsJson.json().get("items").get(0).get("id").asText()).isEqualTo(id);

    Result tasks = client("tasks");
    assertThat(tasks.code()).isZero();
    assertThat(tasks.out()).contains("spin").contains("{\"ms\": integer}");
    assertThat(client("tasks", "--output", "json").json().get("tasks")).hasSize(4);
  }

  @Test
  void submitWithoutWaitPrintsTheJobAndCancelStopsIt() {
    Result submitted =
        client("submit", "spin", "--input", "{\"ms\": 1}", "--delay", "1h", "-o", "json");
    assertThat(submitted.code()).isZero();
    assertThat(submitted.json().get("state").asText()).isEqualTo("scheduled");
    String id = submitted.json().get("id").asText();
    Result cancelled = client("cancel", id, "-o", "json");
    assertThat(cancelled.code()).isZero();
    assertThat(cancelled.json().get("state").asText()).isEqualTo("cancelled");
    Result retried = client("retry", id, "-o", "json");
    assertThat(retried.code()).isZero();
    assertThat(retried.json().get("state").asText()).isIn("queued", "running", "succeeded");
  }

  @Test
  void exitCodes() {
    Result failed =
        client("submit", "flaky", "--input", "{\"failures\": 3}", "--max-attempts", "1", "--wait");
    assertThat(failed.code()).isEqualTo(ExitCodes.FAILED);
    assertThat(failed.out()).contains("state        failed");

    Result usage = client("submit", "spin", "--input", "{not json");
    assertThat(usage.code()).isEqualTo(ExitCodes.USAGE);
    assertThat(usage.err()).contains("--input is not JSON");
    assertThat(cli("submit").code()).isEqualTo(ExitCodes.USAGE);
    assertThat(cli("nonsense").code()).isEqualTo(ExitCodes.USAGE);
    assertThat(client("jobs", "--state", "sleeping").code()).isEqualTo(ExitCodes.USAGE);

    Result notFound = client("status", "01a21595-7b60-7cb0-b575-c8d93320a9fc");
    assertThat(notFound.code()).isEqualTo(ExitCodes.NOT_FOUND);
    assertThat(notFound.err()).contains("no job");
    assertThat(client("submit", "nope").code()).isEqualTo(ExitCodes.NOT_FOUND);

    Result refused = client("submit", "spin", "--input", "{\"ms\": \"x\"}");
    assertThat(refused.code()).isEqualTo(ExitCodes.REFUSED);
    assertThat(refused.err()).contains("input.ms").contains("HTTP 422");

    Result timedOut =
        client(
            "submit",
            "spin",
            "--input",
            "{\"ms\": 1}",
            "--delay",
            "1h",
            "--wait",
            "--wait-timeout",
            "300ms");
    assertThat(timedOut.code()).isEqualTo(ExitCodes.TIMED_OUT);

    Result unreachable = cli("tasks", "--url", "http://127.0.0.1:1");
    assertThat(unreachable.code()).isEqualTo(ExitCodes.UNREACHABLE);
    assertThat(unreachable.err()).contains("is the server running");
  }

  @Test
  void benchDrainPrintsTheJsonLine() {
    Result r =
        cli(
            "bench",
            "drain",
            "--store",
            "memory:",
            "--jobs",
            "300",
            "--ms",
            "0",
            "--workers",
            "2",
            "--output",
            "json");
    assertThat(r.code()).as(r.err()).isZero();
    List<String> lines = r.out().lines().toList();
    JsonNode last;
    try {
      last = JSON.readTree(lines.getLast());
    } catch (Exception e) {
      throw new AssertionError(r.out(), e);
    }
    assertThat(last.properties())
        .extracting(e -> e.getKey())
        .containsExactly(
            "jobs", "seconds", "jobsPerSecond", "startLatencyP50Ms", "startLatencyP99Ms");
    assertThat(last.get("jobs").asInt()).isEqualTo(300);
    assertThat(last.get("jobsPerSecond").asDouble()).isPositive();
    assertThat(last.get("startLatencyP99Ms").asDouble())
        .isGreaterThanOrEqualTo(last.get("startLatencyP50Ms").asDouble());

    Result text =
        cli(
            "bench", "drain", "--store", "memory:", "--jobs", "50", "--batch", "1", "--rate",
            "500");
    assertThat(text.code()).as(text.err()).isZero();
    assertThat(text.out()).contains("jobs/s").contains("p99");
  }

  /**
   * Issue 11: with a Redis cap on finished jobs smaller than the run, the drain still counts every
   * job (it used to count what was left to list: {@code "jobs":100011} of 200,000).
   */
  @Test
  void benchDrainCountsEveryJobWhenTheStoreDropsFinishedOnes() {
    String prefix = "offload-cli-test-" + java.util.UUID.randomUUID().toString().substring(0, 8);
    try (redis.clients.jedis.Jedis jedis = new redis.clients.jedis.Jedis("127.0.0.1", 6379)) {
      try {
        jedis.ping();
      } catch (RuntimeException e) {
        org.junit.jupiter.api.Assumptions.abort("no Redis on 127.0.0.1:6379: " + e.getMessage());
      }
      try {
        Result r =
            cli(
                "bench",
                "drain",
                "--store",
                "redis://127.0.0.1:6379/0?prefix=" + prefix + "&maxFinished=100",
                "--jobs",
                "600",
                "--workers",
                "2",
                "--output",
                "json");
        assertThat(r.code()).as(r.err()).isZero();
        JsonNode last = JSON.readTree(r.out().lines().toList().getLast());
        assertThat(last.get("jobs").asInt()).isEqualTo(600);
        assertThat(r.err()).contains("start latency from the");
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException(e);
      } finally {
        for (String key : jedis.keys(prefix + ":*")) {
          jedis.del(key);
        }
      }
    }
  }

  @Test
  void migrateOpensTheStore() {
    Result r = cli("migrate", "--store", "memory:");
    assertThat(r.code()).isZero();
    assertThat(r.out()).contains("schema up to date");
    Result bad = cli("migrate", "--store", "nosuch://x");
    assertThat(bad.code()).isEqualTo(ExitCodes.USAGE);
    assertThat(bad.err()).contains("no store for URL");
  }

  @Test
  void serveRunsUntilStopped() throws Exception {
    Serving serving = serve("--port", "0", "--store", "memory:", "--workers", "1");
    Result submitted =
        cli(
            "submit",
            "primes",
            "--input",
            "{\"n\": 100}",
            "--wait",
            "-o",
            "json",
            "--url",
            serving.url());
    assertThat(submitted.code()).as(submitted.err()).isZero();
    assertThat(submitted.json().at("/result/count").asInt()).isEqualTo(25);
    assertThat(serving.stop()).isZero();
    assertThat(cli("tasks", "--url", serving.url()).code()).isEqualTo(ExitCodes.UNREACHABLE);
  }

  @Test
  void serveRunsAChosenTaskInChildJvms() throws Exception {
    Serving serving = serve("--port", "0", "--store", "memory:", "--child-jvm", "sha256");
    Result submitted =
        cli(
            "submit",
            "sha256",
            "--input",
            "{\"text\": \"abc\", \"rounds\": 1}",
            "--wait",
            "-o",
            "json",
            "--url",
            serving.url());
    assertThat(submitted.code()).as(submitted.err()).isZero();
    assertThat(submitted.json().at("/result/hex").asText())
        .isEqualTo("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    // The task's own executor is a pool of child JVMs: it reports them in /metrics.
    var http = java.net.http.HttpClient.newHttpClient();
    String metrics =
        http.send(
                java.net.http.HttpRequest.newBuilder(
                        java.net.URI.create(serving.url() + "/metrics"))
                    .build(),
                java.net.http.HttpResponse.BodyHandlers.ofString())
            .body();
    assertThat(metrics).contains("offload_executor_parallelism{executor=\"task:sha256\"}");
    assertThat(serving.stop()).isZero();
  }

  @Test
  void serveLoadsTasksFromJars(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
      throws Exception {
    java.nio.file.Path jar = dir.resolve("echo-tasks.jar");
    try (var out = new java.util.jar.JarOutputStream(java.nio.file.Files.newOutputStream(jar))) {
      out.putNextEntry(
          new java.util.jar.JarEntry("META-INF/services/dev.offload.spi.TaskProvider"));
      out.write(EchoTasks.class.getName().getBytes(java.nio.charset.StandardCharsets.UTF_8));
      out.closeEntry();
    }
    Serving serving = serve("--port", "0", "--store", "memory:", "--tasks", jar.toString());
    assertThat(serving.out().toString()).contains("echo");
    Result r =
        cli(
            "submit",
            "echo",
            "--input",
            "{\"text\": \"hi\"}",
            "--wait",
            "-o",
            "json",
            "--url",
            serving.url());
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.json().at("/result/text").asText()).isEqualTo("HI");
    assertThat(serving.stop()).isZero();
    assertThat(cli("serve", "--tasks", dir.resolve("missing.jar").toString()).code())
        .isEqualTo(ExitCodes.USAGE);
  }

  @Test
  void workerRunsUntilStopped() throws Exception {
    StringWriter out = new StringWriter();
    AtomicReference<Thread> thread = new AtomicReference<>();
    CompletableFuture<Integer> code =
        CompletableFuture.supplyAsync(() -> {
          thread.set(Thread.currentThread());
          return OffloadCli.run(
              new PrintWriter(out, true),
              new PrintWriter(new StringWriter()),
              "worker",
              "--store",
              "memory:",
              "--queues",
              "a,b",
              "--concurrency",
              "3");
        });
    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> out.toString().contains("Offload worker on"));
    assertThat(out.toString()).contains("queues a,b").contains("concurrency 3");
    thread.get().interrupt();
    assertThat(code.get()).isZero();
    assertThat(cli("worker").code()).isEqualTo(ExitCodes.USAGE);
  }

  @Test
  void seedApiRunsUntilStopped() throws Exception {
    Serving serving = launch("seed API on (http://\\S+)", "seed-api", "--port", "0");
    try (var http = java.net.http.HttpClient.newHttpClient()) {
      var res =
          http.send(
              java.net.http.HttpRequest.newBuilder(java.net.URI.create(serving.url() + "/5"))
                  .build(),
              java.net.http.HttpResponse.BodyHandlers.ofString());
      assertThat(res.statusCode()).isEqualTo(200);
      assertThat(JSON.readTree(res.body()).get("result").asLong()).isPositive();
    }
    assertThat(serving.stop()).isZero();
  }
}
