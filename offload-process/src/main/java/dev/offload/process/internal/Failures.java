package dev.offload.process.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.offload.InvalidInputException;
import dev.offload.TaskNotFoundException;
import dev.offload.process.ChildCrashedException;
import dev.offload.process.ChildTaskException;
import dev.offload.process.ChildTimeoutException;
import dev.offload.process.MemoryLimitExceededException;
import java.util.concurrent.CancellationException;

/** Turns what a child said (or how it died) into the attempt's outcome. */
final class Failures {
  private final PoolSettings s;

  Failures(PoolSettings settings) {
    this.s = settings;
  }

  /** Completes {@code a} from a {@code result} ({@code error == null}) or {@code error} message. */
  <O> void complete(Attempt<?, O> a, long pid, JsonNode output, JsonNode error, String stderr) {
    if (error == null) {
      O value;
      try {
        value = s.mapper().treeToValue(output, a.task.outputType());
      } catch (Exception e) {
        a.future.completeExceptionally(
            new ChildTaskException(
                a.task.name(),
                "invalid-output",
                "the child's output does not fit " + a.task.outputType().getName() + ": " + e,
                String.valueOf(output),
                stderr));
        return;
      }
      a.future.complete(value);
      return;
    }
    a.future.completeExceptionally(failure(a, pid, error, stderr));
  }

  private Exception failure(Attempt<?, ?> a, long pid, JsonNode error, String stderr) {
    String type = String.valueOf(Protocol.text(error, "errorType"));
    String message = String.valueOf(Protocol.text(error, "message"));
    String detail = Protocol.text(error, "detail");
    String task = a.task.name();
    ChildTaskException own = new ChildTaskException(task, type, message, detail, stderr);
    if (a.softLimitHit) {
      // Whatever it threw after we asked it to stop, the cause is the soft time limit.
      ChildTimeoutException t =
          new ChildTimeoutException(task, s.softTimeLimit(), pid, false, stderr);
      t.initCause(own);
      return t;
    }
    return switch (type) {
      case Protocol.ERR_MEMORY ->
          new MemoryLimitExceededException(
              task, pid, limitBytes(), "the child reported: " + message, joined(detail, stderr));
      case Protocol.ERR_INVALID_INPUT -> {
        String field = Protocol.text(error, "field"); // optional: the offending field, "input.ms"
        yield new InvalidInputException(field != null ? field : "input", message, own);
      }
      case Protocol.ERR_UNKNOWN_TASK ->
          new TaskNotFoundException(task, a.child == null ? java.util.List.of() : a.child.tasks);
      case Protocol.ERR_CANCELLED -> {
        // The child cancelled on its own (we did not ask): report it as a failure, not a cancel.
        CancellationException c =
            new CancellationException("task '" + task + "' was cancelled in its child: " + message);
        c.initCause(own);
        yield c;
      }
      default -> own;
    };
  }

  /** The exception for an attempt whose child exited (or was killed) under it. */
  Exception died(Attempt<?, ?> a, Child c, int exitCode) {
    String stderr = c.stderr.since(a.stderrMark);
    if (s.javaChild() && exitCode == 3) {
      return new MemoryLimitExceededException(
          a.task.name(),
          c.pid,
          limitBytes(),
          "java.lang.OutOfMemoryError in the child JVM",
          stderr);
    }
    Integer signal = exitCode > 128 && exitCode < 128 + 65 ? exitCode - 128 : null;
    Integer code = signal == null && exitCode >= 0 ? exitCode : null;
    return new ChildCrashedException(a.task.name(), c.pid, code, signal, c.killReason, stderr);
  }

  private long limitBytes() {
    return s.maxMemoryBytes() > 0 ? s.maxMemoryBytes() : s.maxRssBytes();
  }

  static String describeExit(int exitCode) {
    if (exitCode > 128 && exitCode < 128 + 65) {
      return "killed by signal " + (exitCode - 128);
    }
    return exitCode < 0 ? "exit unknown" : "exit code " + exitCode;
  }

  private static String joined(String detail, String stderr) {
    if (detail == null || detail.isEmpty()) {
      return stderr;
    }
    return stderr.isEmpty() ? detail : detail + "\n--- stderr ---\n" + stderr;
  }
}
