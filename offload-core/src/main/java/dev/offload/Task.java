package dev.offload;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Objects;
import java.util.Optional;

/**
 * A named unit of CPU-bound work, {@code I -> O}. Inputs and outputs cross process and machine
 * boundaries as JSON (Jackson), so they should be records or other Jackson-mappable types; Java
 * serialization is never used.
 *
 * <pre>{@code
 * record HashIn(String text, int rounds) {}
 * record HashOut(String hex) {}
 * Task<HashIn, HashOut> hash = Task.of("hash", HashIn.class, HashOut.class,
 *     (in, ctx) -> new HashOut(sha256(in.text(), in.rounds())));
 * }</pre>
 *
 * @param <I> input type
 * @param <O> output type
 */
public interface Task<I, O> {
  /** The name jobs refer to; letters, digits, '.', '_' and '-'. */
  String name();

  Class<I> inputType();

  Class<O> outputType();

  /** Runs one attempt. Exceptions fail the attempt (and may be retried). */
  O run(I input, TaskContext context) throws Exception;

  /** One line for listings ({@code GET /tasks}, the dashboard). */
  default String description() {
    return "";
  }

  /**
   * A JSON Schema of the input that the task declares itself (a task written in another language,
   * whose {@link #inputType()} is just {@code JsonNode}); empty: listings derive one from {@link
   * #inputType()}.
   */
  default Optional<JsonNode> inputSchema() {
    return Optional.empty();
  }

  /** A JSON Schema of the output the task declares itself; see {@link #inputSchema()}. */
  default Optional<JsonNode> outputSchema() {
    return Optional.empty();
  }

  /**
   * Bounds on the input checked where work is accepted, before a job exists (see {@link
   * InputRules}); none by default.
   */
  default InputRules inputRules() {
    return InputRules.none();
  }

  /** This task with {@code rules} as its {@link #inputRules()}; everything else unchanged. */
  default Task<I, O> withInputRules(InputRules rules) {
    Objects.requireNonNull(rules, "rules");
    Task<I, O> self = this;
    return new Task<>() {
      @Override
      public String name() {
        return self.name();
      }

      @Override
      public Class<I> inputType() {
        return self.inputType();
      }

      @Override
      public Class<O> outputType() {
        return self.outputType();
      }

      @Override
      public O run(I input, TaskContext context) throws Exception {
        return self.run(input, context);
      }

      @Override
      public String description() {
        return self.description();
      }

      @Override
      public Optional<JsonNode> inputSchema() {
        return self.inputSchema();
      }

      @Override
      public Optional<JsonNode> outputSchema() {
        return self.outputSchema();
      }

      @Override
      public InputRules inputRules() {
        return rules;
      }

      @Override
      public String toString() {
        return self.toString();
      }
    };
  }

  /** A task from a function. */
  static <I, O> Task<I, O> of(
      String name, Class<I> inputType, Class<O> outputType, TaskFunction<I, O> function) {
    return of(name, "", inputType, outputType, function);
  }

  /** A task from a function, with a description. */
  static <I, O> Task<I, O> of(
      String name,
      String description,
      Class<I> inputType,
      Class<O> outputType,
      TaskFunction<I, O> function) {
    TaskRegistry.checkName(name);
    Objects.requireNonNull(inputType, "inputType");
    Objects.requireNonNull(outputType, "outputType");
    Objects.requireNonNull(function, "function");
    return new Task<>() {
      @Override
      public String name() {
        return name;
      }

      @Override
      public Class<I> inputType() {
        return inputType;
      }

      @Override
      public Class<O> outputType() {
        return outputType;
      }

      @Override
      public O run(I input, TaskContext context) throws Exception {
        return function.apply(input, context);
      }

      @Override
      public String description() {
        return description;
      }

      @Override
      public String toString() {
        return "Task[" + name + "]";
      }
    };
  }

  /** The body of a task. */
  @FunctionalInterface
  interface TaskFunction<I, O> {
    O apply(I input, TaskContext context) throws Exception;
  }
}
