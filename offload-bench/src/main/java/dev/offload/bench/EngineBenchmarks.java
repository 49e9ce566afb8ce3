package dev.offload.bench;

import dev.offload.JobSpec;
import dev.offload.Offload;
import dev.offload.Task;
import dev.offload.TaskRegistry;
import dev.offload.demo.DemoTasks;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The engine's targets (issue #2): a lone {@code run} of a no-op task round-trips in at most 30 µs
 * (median); bulk {@code map} and {@code submitAll} cost at most 2 µs per element; {@code map} of
 * CPU-heavy elements reaches at least 0.95x a bare {@link ThreadPoolExecutor} on the same work.
 * Each measured engine path has its bare-JDK baseline beside it.
 */
public class EngineBenchmarks {
  public record Noop(int n) {}

  static final Task<Noop, Integer> NOOP =
      Task.of("noop", Noop.class, Integer.class, (in, ctx) -> in.n());

  static final int SMALL_ELEMENTS = 10_000;
  static final int HEAVY_ELEMENTS = 40;
  static final long HEAVY_MS = 20;

  @State(Scope.Benchmark)
  public static class Engine {
    Offload offload;
    ExecutorService bare;
    List<Noop> small;
    List<DemoTasks.SpinInput> heavy;

    @Setup(Level.Trial)
    public void start() {
      int cores = Runtime.getRuntime().availableProcessors();
      offload =
          Offload.builder()
              .tasks(TaskRegistry.builder().register(NOOP).registerAll(DemoTasks.all()).build())
              .workers(false)
              .build();
      bare =
          new ThreadPoolExecutor(
              cores, cores, 0, TimeUnit.MILLISECONDS, new LinkedBlockingQueue<>());
      small = IntStream.range(0, SMALL_ELEMENTS).mapToObj(Noop::new).toList();
      heavy =
          IntStream.range(0, HEAVY_ELEMENTS)
              .mapToObj(i -> new DemoTasks.SpinInput(HEAVY_MS))
              .toList();
    }

    @TearDown(Level.Trial)
    public void stop() {
      offload.close();
      bare.shutdownNow();
    }
  }

  /** A store that grows by what we submit: started fresh each iteration to bound memory. */
  @State(Scope.Benchmark)
  public static class Jobs {
    Offload offload;
    List<JobSpec> batch;

    @Setup(Level.Iteration)
    public void start() {
      offload = Offload.builder().tasks(TaskRegistry.of(NOOP)).workers(false).build();
      batch = IntStream.range(0, 1_000).mapToObj(i -> JobSpec.of("noop", new Noop(i))).toList();
    }

    @TearDown(Level.Iteration)
    public void stop() {
      offload.close();
    }
  }

  @Benchmark
  @BenchmarkMode(Mode.SampleTime)
  @OutputTimeUnit(TimeUnit.MICROSECONDS)
  public Integer runNoop(Engine e) {
    return e.offload.run(NOOP, new Noop(1));
  }

  @Benchmark
  @BenchmarkMode(Mode.SampleTime)
  @OutputTimeUnit(TimeUnit.MICROSECONDS)
  public Integer baselineSubmitGetNoop(Engine e) throws Exception {
    return e.bare.submit(() -> 1).get();
  }

  @Benchmark
  @BenchmarkMode(Mode.AverageTime)
  @OutputTimeUnit(TimeUnit.NANOSECONDS)
  @OperationsPerInvocation(SMALL_ELEMENTS)
  public List<Integer> mapNoopPerElement(Engine e) {
    return e.offload.map(NOOP, e.small);
  }

  @Benchmark
  @BenchmarkMode(Mode.AverageTime)
  @OutputTimeUnit(TimeUnit.NANOSECONDS)
  @OperationsPerInvocation(1_000)
  public int submitAllPerJob(Jobs j) {
    return j.offload.submitAll(j.batch).size();
  }

  @Benchmark
  @BenchmarkMode(Mode.AverageTime)
  @OutputTimeUnit(TimeUnit.MILLISECONDS)
  public List<DemoTasks.SpinOutput> mapHeavy(Engine e) {
    return e.offload.map(DemoTasks.SPIN, e.heavy);
  }

  @Benchmark
  @BenchmarkMode(Mode.AverageTime)
  @OutputTimeUnit(TimeUnit.MILLISECONDS)
  public List<Long> baselineThreadPoolHeavy(Engine e) throws Exception {
    List<Future<Long>> futures = new ArrayList<>(e.heavy.size());
    for (DemoTasks.SpinInput in : e.heavy) {
      futures.add(e.bare.submit(() -> DemoTasks.spin(in.ms(), null)));
    }
    List<Long> out = new ArrayList<>(futures.size());
    for (Future<Long> f : futures) {
      out.add(f.get());
    }
    return out;
  }
}
