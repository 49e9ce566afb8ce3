package dev.offload.process;

import static org.assertj.core.api.Assertions.assertThat;

import dev.offload.Task;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The FastAPI answer's {@code cpu_bound_func} (examples/python-worker/cpu_bound.py) as an Offload
 * task, run end to end through {@link ProcessExecutor#python(Path)}: the helper comes out of the
 * jar's resources, not the source tree.
 */
class CpuBoundExampleTest {
  record In(int param) {}

  record Out(long result) {}

  static final Task<In, Out> CPU_BOUND = ExternalTask.of("cpu_bound_func", In.class, Out.class);

  static long expected(long n) {
    return (n - 1) * n * (2 * n - 1) / 6; // sum of i*i for i < n
  }

  @Test
  void runsCpuBoundFuncInPythonChildren() throws Exception {
    Path script = Path.of("../examples/python-worker/cpu_bound.py").toAbsolutePath().normalize();
    assertThat(Files.exists(script)).as(script.toString()).isTrue();
    ProcessExecutor py =
        ProcessExecutor.python(script)
            .workingDirectory(Files.createTempDirectory("cpu-bound"))
            .size(2)
            .hardTimeLimit(Duration.ofSeconds(30))
            .build();
    try {
      TestContext ctx = new TestContext();
      Out big = py.execute(CPU_BOUND, new In(1_000_000), ctx).get(30, TimeUnit.SECONDS);
      assertThat(big.result()).isEqualTo(expected(1_000_000));
      assertThat(ctx.progress).isNotEmpty().last().isEqualTo(1.0);

      List<CompletableFuture<Out>> many =
          List.of(10, 100, 1_000, 12_345).stream()
              .map(n -> py.execute(CPU_BOUND, new In(n), new TestContext()))
              .toList();
      assertThat(many.stream().map(f -> f.orTimeout(30, TimeUnit.SECONDS).join().result()))
          .containsExactly(expected(10), expected(100), expected(1_000), expected(12_345));
      assertThat(py.processStats().tasksRun()).isEqualTo(5);
    } finally {
      py.shutdownNow();
      assertThat(py.awaitTermination(Duration.ofSeconds(10))).isTrue();
    }
  }
}
