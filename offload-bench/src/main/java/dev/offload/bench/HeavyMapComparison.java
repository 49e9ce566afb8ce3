package dev.offload.bench;

import dev.offload.Offload;
import dev.offload.demo.DemoTasks;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

/**
 * {@code map} of CPU-heavy elements against a bare {@link ThreadPoolExecutor}, interleaved round by
 * round so both see the same machine load (JMH runs one benchmark after the other, and on a shared
 * 2-core box the load moves between them). Prints each round and the median throughput ratio.
 *
 * <p>{@code java -cp offload-bench/target/benchmarks.jar dev.offload.bench.HeavyMapComparison
 * [rounds] [elements] [ms]}
 */
public final class HeavyMapComparison {
  private HeavyMapComparison() {}

  public static void main(String[] args) throws Exception {
    int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 11;
    int elements = args.length > 1 ? Integer.parseInt(args[1]) : 40;
    long ms = args.length > 2 ? Long.parseLong(args[2]) : 20;
    int cores = Runtime.getRuntime().availableProcessors();
    List<DemoTasks.SpinInput> inputs =
        IntStream.range(0, elements).mapToObj(i -> new DemoTasks.SpinInput(ms)).toList();
    ExecutorService bare =
        new ThreadPoolExecutor(cores, cores, 0, TimeUnit.MILLISECONDS, new LinkedBlockingQueue<>());
    double[] ratios = new double[rounds];
    try (Offload offload = Offload.builder().tasks(DemoTasks.registry()).workers(false).build()) {
      for (int warm = 0; warm < 3; warm++) {
        offload.map(DemoTasks.SPIN, inputs);
        runBare(bare, inputs);
      }
      for (int r = 0; r < rounds; r++) {
        long t0 = System.nanoTime();
        runBare(bare, inputs);
        long t1 = System.nanoTime();
        offload.map(DemoTasks.SPIN, inputs);
        long t2 = System.nanoTime();
        double bareMs = (t1 - t0) / 1e6;
        double mapMs = (t2 - t1) / 1e6;
        ratios[r] = bareMs / mapMs;
        System.out.printf(
            "round %2d: ThreadPoolExecutor %7.1f ms, map %7.1f ms, map throughput ratio %.3f%n",
            r + 1, bareMs, mapMs, ratios[r]);
      }
    } finally {
      bare.shutdownNow();
    }
    Arrays.sort(ratios);
    System.out.printf(
        "median ratio (map / ThreadPoolExecutor throughput) over %d rounds of %d x %d ms: %.3f%n",
        rounds, elements, ms, ratios[rounds / 2]);
  }

  private static void runBare(ExecutorService bare, List<DemoTasks.SpinInput> inputs)
      throws Exception {
    List<Future<Long>> futures = new ArrayList<>(inputs.size());
    for (DemoTasks.SpinInput in : inputs) {
      futures.add(bare.submit(() -> DemoTasks.spin(in.ms(), null)));
    }
    for (Future<Long> f : futures) {
      f.get();
    }
  }
}
