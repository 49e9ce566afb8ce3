package dev.offload.process;

import com.fasterxml.jackson.databind.JsonNode;
import dev.offload.Task;
import dev.offload.TaskContext;
import java.util.Optional;

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

  /**
   * A task whose input and output are any JSON, with the JSON Schemas it declares (either may be
   * null), as {@link PythonTasks} makes them from a Python file's {@code @task} functions.
   */
  public static Task<JsonNode, JsonNode> of(
      String name, String description, JsonNode inputSchema, JsonNode outputSchema) {
    java.util.Objects.requireNonNull(name, "name");
    return new Declared(name, description == null ? "" : description, inputSchema, outputSchema);
  }

  private record Declared(String name, String description, JsonNode input, JsonNode output)
      implements Task<JsonNode, JsonNode> {
    @Override
    public Class<JsonNode> inputType() {
      return JsonNode.class;
    }

    @Override
    public Class<JsonNode> outputType() {
      return JsonNode.class;
    }

    @Override
    public JsonNode run(JsonNode in, TaskContext context) {
      throw new UnsupportedOperationException(
          "task '" + name + "' runs only in a child process; run it on a ProcessExecutor");
    }

    @Override
    public Optional<JsonNode> inputSchema() {
      return Optional.ofNullable(input);
    }

    @Override
    public Optional<JsonNode> outputSchema() {
      return Optional.ofNullable(output);
    }

    @Override
    public String toString() {
      return "Task[" + name + "]";
    }
  }
}
