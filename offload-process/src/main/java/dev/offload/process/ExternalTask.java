package dev.offload.process;

import dev.offload.Task;

/**
 * Declares a task whose code lives in a child process (a Python function, say): the parent only
 * needs its name and the JSON shapes of its input and output. Running it in this JVM fails; give it
 * a {@link ProcessExecutor}.
 *
 * <pre>{@code
 * record In(int param) {}
 * record Out(long result) {}
 * Task<In, Out> cpuBound = ExternalTask.of("cpu_bound_func", In.class, Out.class);
 * Offload offload = Offload.builder().tasks(TaskRegistry.of(cpuBound))
 *     .executor("cpu_bound_func", ProcessExecutor.python(Path.of("cpu_bound.py")).build())
 *     .build();
 * }</pre>
 */
public final class ExternalTask {
  private ExternalTask() {}

  public static <I, O> Task<I, O> of(String name, Class<I> inputType, Class<O> outputType) {
    return of(name, "", inputType, outputType);
  }

  public static <I, O> Task<I, O> of(
      String name, String description, Class<I> inputType, Class<O> outputType) {
    return Task.of(
        name,
        description,
        inputType,
        outputType,
        (in, ctx) -> {
          throw new UnsupportedOperationException(
              "task '" + name + "' runs only in a child process; run it on a ProcessExecutor");
        });
  }
}
