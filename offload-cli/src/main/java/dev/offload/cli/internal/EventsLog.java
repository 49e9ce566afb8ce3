package dev.offload.cli.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.offload.Task;
import dev.offload.TaskContext;
import dev.offload.TaskRegistry;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;

/**
 * {@code offload worker --events-log FILE}: one JSON line when task code starts and one when it
 * ends, for tools that check what really ran (the chaos harness, docs/CHAOS.md).
 *
 * <p>Design: the log wraps each task of the registry, so a line is written by the thread that runs
 * the task, right before and right after the task's own code; a job that was claimed or prefetched
 * but never started leaves no line. Each line is one {@code write} to a file opened for append,
 * with no buffer in this process: a line written survives a SIGKILL of the worker the instant after
 * (not a crash of the machine: nothing is fsynced). A {@link FileOutputStream}, not a {@code
 * FileChannel}: a channel is closed for every thread when one writer is interrupted, and tasks are
 * interrupted when cancelled or timed out. Tasks run in child processes ({@code --python}, child
 * JVMs) are not logged.
 */
public final class EventsLog implements AutoCloseable {
  private final FileOutputStream out;
  private final ObjectMapper mapper = new ObjectMapper();
  private final String workerId;
  private final long pid = ProcessHandle.current().pid();

  private EventsLog(FileOutputStream out, String workerId) {
    this.out = out;
    this.workerId = workerId;
  }

  /** Opens (creates or appends to) {@code file}; {@code workerId} goes on every line. */
  public static EventsLog open(Path file, String workerId) {
    try {
      Path parent = file.toAbsolutePath().getParent();
      if (parent != null) {
        Files.createDirectories(parent);
      }
      return new EventsLog(new FileOutputStream(file.toFile(), true), workerId);
    } catch (IOException e) {
      throw new IllegalArgumentException("--events-log: cannot open " + file + ": " + e, e);
    }
  }

  /** {@code registry} with every task logging its start and end here. */
  public TaskRegistry wrap(TaskRegistry registry) {
    TaskRegistry.Builder b = TaskRegistry.builder();
    for (Task<?, ?> task : registry.all()) {
      b.register(logged(task));
    }
    return b.build();
  }

  private <I, O> Task<I, O> logged(Task<I, O> task) {
    return new Task<>() {
      @Override
      public String name() {
        return task.name();
      }

      @Override
      public Class<I> inputType() {
        return task.inputType();
      }

      @Override
      public Class<O> outputType() {
        return task.outputType();
      }

      @Override
      public O run(I input, TaskContext context) throws Exception {
        write(line("start", task.name(), context, null, null));
        O output;
        try {
          output = task.run(input, context);
        } catch (Exception | Error e) {
          String outcome = context.isCancelled() ? "cancelled" : "failed";
          write(line("end", task.name(), context, outcome, e.toString()));
          throw e;
        }
        write(line("end", task.name(), context, "succeeded", null));
        return output;
      }

      @Override
      public String description() {
        return task.description();
      }

      @Override
      public Optional<JsonNode> inputSchema() {
        return task.inputSchema();
      }

      @Override
      public Optional<JsonNode> outputSchema() {
        return task.outputSchema();
      }

      @Override
      public String toString() {
        return task.toString();
      }
    };
  }

  private ObjectNode line(
      String event, String task, TaskContext context, String outcome, String error) {
    ObjectNode n = mapper.createObjectNode();
    n.put("event", event);
    n.put("job", context.jobId().toString());
    n.put("attempt", context.attempt());
    n.put("task", task);
    n.put("worker", workerId);
    n.put("pid", pid);
    n.put("time", Instant.now().toString());
    if (outcome != null) {
      n.put("outcome", outcome);
    }
    if (error != null) {
      n.put("error", error);
    }
    return n;
  }

  private void write(ObjectNode line) {
    try {
      byte[] json = mapper.writeValueAsBytes(line);
      byte[] bytes = java.util.Arrays.copyOf(json, json.length + 1);
      bytes[json.length] = '\n';
      synchronized (out) {
        out.write(bytes); // one write(2) of the whole line: lines never interleave
      }
    } catch (IOException e) {
      // A ground-truth log with holes would mislead whoever reads it: fail the attempt instead.
      throw new UncheckedIOException("--events-log: write failed", e);
    }
  }

  @Override
  public void close() {
    try {
      out.close();
    } catch (IOException e) {
      throw new UncheckedIOException("--events-log: close failed", e);
    }
  }
}
