package dev.offload.process;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.offload.Offload;
import dev.offload.Task;
import dev.offload.TaskRegistry;
import dev.offload.demo.DemoTasks;
import dev.offload.demo.DemoTasks.SpinInput;
import dev.offload.demo.DemoTasks.SpinOutput;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * Per-task overhead of {@code spin} with {@code ms=0} (a no-op): ProcessExecutor with Java and
 * Python children, against the in-process pool and Python's ProcessPoolExecutor, on the same
 * machine in the same run. Two figures per executor, each the median over rounds:
 *
 * <ul>
 *   <li>latency: one task submitted and awaited alone, median round trip;
 *   <li>throughput: N tasks submitted at once, wall time / N (amortized cost per task).
 * </ul>
 *
 * <p>Run: {@code mvn -B -ntp -q -pl offload-process -am verify -Dtest=ProcessOverheadBench
 * -Dsurefire.failIfNoSpecifiedTests=false}; the table lands in {@code
 * offload-process/target/bench/process-overhead.md}.
 */
class ProcessOverheadBench {
  static final int WORKERS = 2;
  static final int ROUNDS = intEnv("OFFLOAD_BENCH_ROUNDS", 5);
  static final int LATENCY_N = intEnv("OFFLOAD_BENCH_LATENCY_N", 1000);
  static final int THROUGHPUT_N = intEnv("OFFLOAD_BENCH_THROUGHPUT_N", 10000);
  static final SpinInput ZERO = new SpinInput(0);
  static final Task<SpinInput, SpinOutput> PY_SPIN =
      ExternalTask.of("spin", SpinInput.class, SpinOutput.class);

  interface Runner extends AutoCloseable {
    CompletableFuture<?> submit();

    @Override
    void close() throws Exception;
  }

  record Result(String name, double latencyUs, double throughputUs) {}

  static int intEnv(String name, int dflt) {
    String v = System.getenv(name);
    return v == null ? dflt : Integer.parseInt(v);
  }

  @Test
  void measure() throws Exception {
    Map<String, Runner> runners = new LinkedHashMap<>();
    ExecutorService threads = Executors.newFixedThreadPool(WORKERS);
    runners.put(
        "in-process ThreadPoolExecutor (2 threads)",
        runner(
            () -> CompletableFuture.supplyAsync(() -> DemoTasks.spin(0, null), threads),
            threads::shutdown));
    Offload offload =
        Offload.builder()
            .tasks(TaskRegistry.of(DemoTasks.SPIN))
            .threads(WORKERS)
            .queueCapacity(THROUGHPUT_N)
            .build();
    runners.put(
        "in-process Offload.runAsync (CpuPool, 2 threads)",
        runner(() -> offload.runAsync(DemoTasks.SPIN, ZERO), offload::close));
    ProcessExecutor java =
        ProcessExecutor.javaChild().size(WORKERS).queueCapacity(THROUGHPUT_N).build();
    runners.put(
        "ProcessExecutor, Java children (2)",
        runner(() -> java.execute(DemoTasks.SPIN, ZERO, new TestContext()), java::shutdownNow));
    ProcessExecutor python =
        ProcessExecutor.python(Path.of("../examples/python-worker/cpu_bound.py").toAbsolutePath())
            .size(WORKERS)
            .queueCapacity(THROUGHPUT_N)
            .build();
    runners.put(
        "ProcessExecutor, Python children (2)",
        runner(() -> python.execute(PY_SPIN, ZERO, new TestContext()), python::shutdownNow));
    assertThat(java.awaitReady(Duration.ofSeconds(30))).isTrue();
    assertThat(python.awaitReady(Duration.ofSeconds(30))).isTrue();

    Map<String, List<Double>> latency = new LinkedHashMap<>();
    Map<String, List<Double>> throughput = new LinkedHashMap<>();
    for (Map.Entry<String, Runner> r : runners.entrySet()) {
      warmUp(r.getValue());
    }
    String ppe = null;
    for (int round = 0; round < ROUNDS; round++) {
      for (Map.Entry<String, Runner> r : runners.entrySet()) {
        latency.computeIfAbsent(r.getKey(), k -> new ArrayList<>()).add(latencyUs(r.getValue()));
        throughput
            .computeIfAbsent(r.getKey(), k -> new ArrayList<>())
            .add(throughputUs(r.getValue()));
      }
      // One ProcessPoolExecutor round per round, so it sees the same machine load as the rest.
      JsonNode py = pythonProcessPool();
      ppe = "Python " + py.get("python").asText() + " ProcessPoolExecutor (2 workers)";
      latency.computeIfAbsent(ppe, k -> new ArrayList<>()).add(py.get("latency_us").asDouble());
      throughput
          .computeIfAbsent(ppe, k -> new ArrayList<>())
          .add(py.get("throughput_us").asDouble());
    }
    for (Runner r : runners.values()) {
      r.close();
    }

    List<Result> results = new ArrayList<>();
    for (String name : latency.keySet()) {
      results.add(new Result(name, median(latency.get(name)), median(throughput.get(name))));
    }
    report(results, latency, throughput);
  }

  static Runner runner(
      java.util.function.Supplier<CompletableFuture<?>> submit, AutoCloseable close) {
    return new Runner() {
      @Override
      public CompletableFuture<?> submit() {
        return submit.get();
      }

      @Override
      public void close() throws Exception {
        close.close();
      }
    };
  }

  static void warmUp(Runner r) {
    for (int i = 0; i < 3; i++) {
      for (int j = 0; j < 2_000; j++) {
        r.submit().join();
      }
      throughputUs(r);
    }
  }

  static double latencyUs(Runner r) {
    double[] samples = new double[LATENCY_N];
    for (int i = 0; i < LATENCY_N; i++) {
      long t0 = System.nanoTime();
      r.submit().join();
      samples[i] = (System.nanoTime() - t0) / 1_000.0;
    }
    Arrays.sort(samples);
    return samples[LATENCY_N / 2];
  }

  static double throughputUs(Runner r) {
    CompletableFuture<?>[] all = new CompletableFuture<?>[THROUGHPUT_N];
    long t0 = System.nanoTime();
    for (int i = 0; i < THROUGHPUT_N; i++) {
      all[i] = r.submit();
    }
    CompletableFuture.allOf(all).join();
    return (System.nanoTime() - t0) / 1_000.0 / THROUGHPUT_N;
  }

  static double median(List<Double> values) {
    double[] v = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
  }

  static JsonNode pythonProcessPool() throws IOException, InterruptedException {
    Process p =
        new ProcessBuilder(
                "python3",
                "src/test/python/bench_process_pool.py",
                Integer.toString(WORKERS),
                "1",
                Integer.toString(LATENCY_N),
                Integer.toString(THROUGHPUT_N))
            .redirectError(ProcessBuilder.Redirect.INHERIT)
            .start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor()).isZero();
    return new ObjectMapper().readTree(out);
  }

  static void report(
      List<Result> results, Map<String, List<Double>> latency, Map<String, List<Double>> throughput)
      throws IOException {
    Result ppe = results.get(results.size() - 1);
    StringBuilder sb = new StringBuilder();
    sb.append("Date: ").append(LocalDate.now()).append(", JDK ").append(Runtime.version());
    sb.append(", cores: ").append(Runtime.getRuntime().availableProcessors());
    sb.append(", rounds: ").append(ROUNDS).append(", latency N: ").append(LATENCY_N);
    sb.append(", throughput N: ").append(THROUGHPUT_N).append("\n\n");
    sb.append("| executor | latency µs (median) | × PPE | throughput µs/task | × PPE |\n");
    sb.append("| --- | ---: | ---: | ---: | ---: |\n");
    for (Result r : results) {
      sb.append(
          String.format(
              "| %s | %.1f | %.2f | %.1f | %.2f |%n",
              r.name(),
              r.latencyUs(),
              r.latencyUs() / ppe.latencyUs(),
              r.throughputUs(),
              r.throughputUs() / ppe.throughputUs()));
    }
    sb.append("\nPer-round figures (µs):\n\n");
    Function<List<Double>, String> fmt =
        l -> String.join(", ", l.stream().map(d -> String.format("%.1f", d)).toList());
    for (String name : latency.keySet()) {
      sb.append("- ").append(name).append(": latency ").append(fmt.apply(latency.get(name)));
      sb.append("; throughput ").append(fmt.apply(throughput.get(name))).append("\n");
    }
    Path out = Path.of("target/bench/process-overhead.md");
    Files.createDirectories(out.getParent());
    Files.writeString(out, sb.toString());
    System.out.println(sb);
  }
}
