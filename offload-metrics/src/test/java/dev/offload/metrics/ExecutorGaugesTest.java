package dev.offload.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.offload.Offload;
import dev.offload.Task;
import dev.offload.TaskRegistry;
import dev.offload.process.ExternalTask;
import dev.offload.process.ProcessExecutor;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** A task on its own child-process pool shows its children beside the CPU pool. */
class ExecutorGaugesTest {
  record In(long param) {}

  record Out(long result) {}

  @Test
  void childProcessPoolsAreReportedPerTask() throws Exception {
    Task<In, Out> cpuBound = ExternalTask.of("cpu_bound_func", In.class, Out.class);
    ProcessExecutor python =
        ProcessExecutor.python(Path.of("../examples/python-worker/cpu_bound.py").toAbsolutePath())
            .size(2)
            .build();
    MeterRegistry registry = new SimpleMeterRegistry();
    try (Offload offload =
            Offload.builder()
                .tasks(TaskRegistry.of(cpuBound))
                .threads(3)
                .executor("cpu_bound_func", python)
                .workers(false)
                .build();
        OffloadMetrics metrics = OffloadMetrics.of(offload)) {
      metrics.bindTo(registry);
      assertThat(offload.run(cpuBound, new In(10)).result()).isEqualTo(285L);
      assertThat(gauge(registry, "offload.executor.parallelism", "task:cpu_bound_func"))
          .isEqualTo(2.0);
      assertThat(gauge(registry, "offload.executor.parallelism", "cpu")).isEqualTo(3.0);
      assertThat(gauge(registry, "offload.executor.active", "task:cpu_bound_func")).isZero();
      assertThat(gauge(registry, "offload.executor.queued", "task:cpu_bound_func")).isZero();
    }
  }

  private static double gauge(MeterRegistry registry, String name, String executor) {
    return registry.get(name).tag("executor", executor).gauge().value();
  }
}
