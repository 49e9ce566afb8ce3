package dev.offload.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.offload.Backoff;
import dev.offload.Job;
import dev.offload.JobError;
import dev.offload.JobSpec;
import dev.offload.JobState;
import dev.offload.Offload;
import dev.offload.Task;
import dev.offload.TaskRegistry;
import dev.offload.demo.DemoTasks;
import dev.offload.demo.DemoTasks.SpinInput;
import dev.offload.demo.DemoTasks.SpinOutput;
import dev.offload.process.TestTasks.Empty;
import dev.offload.process.TestTasks.Pid;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** An Offload instance whose chosen tasks run on a ProcessExecutor. */
class OffloadIntegrationTest {
  record In(int param) {}

  record Out(long result) {}

  @Test
  void offloadRunsTasksAndRetriesJobsThroughChildJvms() throws Exception {
    ProcessExecutor children =
        ProcessExecutor.javaChild()
            .size(1)
            .softTimeLimit(Duration.ofMillis(300))
            .hardTimeLimit(Duration.ofMillis(800))
            .build();
    TaskRegistry registry =
        TaskRegistry.of(DemoTasks.SPIN, TestTasks.CRASH_ONCE, TestTasks.RUNAWAY, TestTasks.PID);
    try (Offload offload =
        Offload.builder()
            .tasks(registry)
            .threads(1)
            .executor("spin", children)
            .executor("crash_once", children)
            .executor("runaway", children)
            .defaultBackoff(Backoff.of(Duration.ofMillis(10), Duration.ofMillis(50)))
            .pollInterval(Duration.ofMillis(100))
            .build()) {
      // Offload and wait, through the child.
      SpinOutput out = offload.run(DemoTasks.SPIN, new SpinInput(5));
      assertThat(out.iterations()).isPositive();
      assertThat(children.processStats().tasksRun()).isEqualTo(1);
      // Not routed: runs in this JVM.
      assertThat(offload.run(TestTasks.PID, new Empty()).pid())
          .isEqualTo(ProcessHandle.current().pid());

      // A background job whose child crashes on attempt 1 is retried and succeeds on attempt 2.
      Job job = offload.submit(JobSpec.of("crash_once", new Empty()).maxAttempts(3));
      Job done = offload.await(job.id(), Duration.ofSeconds(30));
      assertThat(done.state()).isEqualTo(JobState.SUCCEEDED);
      assertThat(done.attempts()).isEqualTo(2);
      Pid result = offload.result(job.id(), Pid.class);
      assertThat(result.attempt()).isEqualTo(2);
      assertThat(result.pid()).isNotEqualTo(ProcessHandle.current().pid());
      assertThat(children.processStats().crashes()).isEqualTo(1);

      // A runaway job is killed at the hard limit on every attempt: it fails as a timeout, with
      // the child's own message.
      Job runaway = offload.submit(JobSpec.of("runaway", new Empty()).maxAttempts(2));
      Job failed = offload.await(runaway.id(), Duration.ofSeconds(30));
      assertThat(failed.state()).isEqualTo(JobState.FAILED);
      assertThat(failed.attempts()).isEqualTo(2);
      assertThat(failed.error().type()).isEqualTo(JobError.TIMEOUT);
      assertThat(failed.error().message()).contains("killed and replaced");
      assertThat(children.processStats().timeouts()).isEqualTo(2);
    } finally {
      // OffloadBuilder.executor says the Offload closes it; the engine does not yet, so close here
      // (closing twice is harmless).
      children.close();
    }
    assertThat(children.awaitTermination(Duration.ofSeconds(10))).isTrue();
  }

  @Test
  void offloadRunsThePythonCpuBoundFuncAsATask() throws Exception {
    Task<In, Out> cpuBound = ExternalTask.of("cpu_bound_func", In.class, Out.class);
    ProcessExecutor python =
        ProcessExecutor.python(Path.of("../examples/python-worker/cpu_bound.py").toAbsolutePath())
            .size(2)
            .build();
    try (Offload offload =
        Offload.builder()
            .tasks(TaskRegistry.of(cpuBound))
            .executor("cpu_bound_func", python)
            .build()) {
      assertThat(offload.run(cpuBound, new In(1000)).result()).isEqualTo(332_833_500L);
      assertThat(offload.map(cpuBound, java.util.List.of(new In(3), new In(4))))
          .extracting(Out::result)
          .containsExactly(5L, 14L);
      Job job = offload.submit(JobSpec.of("cpu_bound_func", new In(-1)).maxAttempts(1));
      Job failed = offload.await(job.id(), Duration.ofSeconds(30));
      assertThat(failed.state()).isEqualTo(JobState.FAILED);
      assertThat(failed.error().message()).contains("ValueError", "param must be >= 0");
      assertThat(failed.error().detail()).contains("Traceback");
      assertThatThrownBy(() -> offload.run(cpuBound, new In(-2)))
          .isInstanceOf(ChildTaskException.class)
          .hasMessageContaining("param must be >= 0, was -2");
    } finally {
      python.close();
    }
    assertThat(python.awaitTermination(Duration.ofSeconds(10))).isTrue();
  }
}
