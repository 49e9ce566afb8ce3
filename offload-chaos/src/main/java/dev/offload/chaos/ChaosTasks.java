package dev.offload.chaos;

import dev.offload.Task;
import dev.offload.demo.DemoTasks;
import dev.offload.spi.TaskProvider;
import java.util.Collection;
import java.util.List;

/**
 * The one task the chaos harness submits, loaded by the workers with {@code --tasks}: spins {@code
 * ms} of CPU, fails its first {@code failures} attempts, and returns which attempt of which process
 * produced the result, so the harness can tell whose result the store kept.
 *
 * <pre>{@code
 * {"ms": 20, "failures": 1}  ->  {"attempt": 2, "pid": 4711}
 * }</pre>
 */
public final class ChaosTasks implements TaskProvider {
  public static final String NAME = "chaos";

  /**
   * The input.
   *
   * @param ms CPU time to burn (0: a no-op)
   * @param failures how many first attempts fail
   */
  public record Input(long ms, int failures) {}

  /**
   * The output: who produced it.
   *
   * @param attempt the attempt number the worker gave the task
   * @param pid the worker process
   */
  public record Output(int attempt, long pid) {}

  public static final Task<Input, Output> CHAOS =
      Task.of(
          NAME,
          "Chaos harness job: spins {\"ms\"}, fails its first {\"failures\"} attempts",
          Input.class,
          Output.class,
          (in, ctx) -> {
            DemoTasks.spin(in.ms(), ctx);
            if (ctx.attempt() <= in.failures()) {
              throw new IllegalStateException(
                  "planned failure of attempt " + ctx.attempt() + " of " + in.failures());
            }
            return new Output(ctx.attempt(), ProcessHandle.current().pid());
          });

  @Override
  public Collection<Task<?, ?>> tasks() {
    return List.of(CHAOS);
  }
}
