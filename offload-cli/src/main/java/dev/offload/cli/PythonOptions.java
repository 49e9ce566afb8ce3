package dev.offload.cli;

import dev.offload.OffloadBuilder;
import dev.offload.Task;
import dev.offload.TaskRegistry;
import dev.offload.process.ProcessExecutor;
import dev.offload.process.PythonTasks;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine.Option;

/**
 * {@code --python FILE} and its pool settings, shared by {@code serve} and {@code worker}: the
 * file's {@code @task} functions become tasks run in a pool of supervised Python children.
 */
final class PythonOptions {
  @Option(
      names = "--python",
      paramLabel = "FILE",
      description =
          "A Python file of @task functions (offload.worker); its tasks run in Python child"
              + " processes. Repeatable.")
  List<Path> files = new ArrayList<>();

  @Option(
      names = "--python-interpreter",
      paramLabel = "PATH",
      description = "The Python for --python (default: $OFFLOAD_PYTHON, else python3).")
  String interpreter;

  @Option(
      names = "--python-children",
      paramLabel = "N",
      description = "Python children per file (default: cores).")
  Integer children;

  @Option(
      names = "--python-time-limit",
      paramLabel = "DURATION",
      description =
          "Hard time limit of one attempt: the child is killed and replaced (default: none).")
  Duration timeLimit;

  @Option(
      names = "--python-max-memory",
      paramLabel = "SIZE",
      description = "Address-space limit of each child, e.g. 512m, 2g (default: none).")
  String maxMemory;

  @Option(
      names = "--python-recycle",
      paramLabel = "N",
      description = "Replace a child after it ran N attempts (default: never).")
  Integer recycleAfter;

  private final List<Loaded> loaded = new ArrayList<>();

  private record Loaded(PythonTasks tasks, ProcessExecutor executor) {}

  /** Describes each file and starts its children; call once, before {@link #registry}. */
  void load() {
    if (files.isEmpty()) {
      if (interpreter != null
          || children != null
          || timeLimit != null
          || maxMemory != null
          || recycleAfter != null) {
        throw new IllegalArgumentException("--python-* settings need --python FILE");
      }
      return;
    }
    String python = interpreter != null ? interpreter : defaultInterpreter();
    long memory = maxMemory == null ? 0 : parseSize(maxMemory);
    for (Path file : files) {
      PythonTasks tasks = PythonTasks.load(python, file);
      ProcessExecutor.Builder b = tasks.executor();
      if (children != null) {
        b.size(children);
      }
      if (timeLimit != null) {
        b.hardTimeLimit(timeLimit);
      }
      if (memory > 0) {
        b.maxMemory(memory);
      }
      if (recycleAfter != null) {
        b.recycleAfter(recycleAfter);
      }
      loaded.add(new Loaded(tasks, b.build()));
    }
  }

  /** {@code base} plus the Python tasks (a name both have fails, naming it). */
  TaskRegistry registry(TaskRegistry base) {
    if (loaded.isEmpty()) {
      return base;
    }
    TaskRegistry.Builder b = TaskRegistry.builder().registerAll(base.all());
    for (Loaded l : loaded) {
      for (Task<?, ?> t : l.tasks().tasks()) {
        if (base.find(t.name()).isPresent()) {
          throw new IllegalArgumentException(
              "--python "
                  + l.tasks().file()
                  + ": task '"
                  + t.name()
                  + "' is already a task of this server; rename it");
        }
      }
      b.registerAll(l.tasks().tasks());
    }
    return b.build();
  }

  /** Routes each Python task to its file's children (the Offload closes them). */
  void executors(OffloadBuilder b) {
    for (Loaded l : loaded) {
      for (Task<?, ?> t : l.tasks().tasks()) {
        b.executor(t.name(), l.executor());
      }
    }
  }

  /** Stops the children when the Offload was never built. */
  void closeAll() {
    loaded.forEach(l -> l.executor().shutdownNow());
  }

  private static String defaultInterpreter() {
    String env = System.getenv("OFFLOAD_PYTHON");
    return env == null || env.isBlank() ? "python3" : env;
  }

  static long parseSize(String text) {
    String t = text.strip().toLowerCase(Locale.ROOT).replace("ib", "").replace("b", "");
    long unit = 1;
    if (!t.isEmpty() && "kmg".indexOf(t.charAt(t.length() - 1)) >= 0) {
      unit = 1L << (10 * ("kmg".indexOf(t.charAt(t.length() - 1)) + 1));
      t = t.substring(0, t.length() - 1);
    }
    try {
      long n = Long.parseLong(t.strip());
      if (n <= 0) {
        throw new NumberFormatException();
      }
      return Math.multiplyExact(n, unit);
    } catch (NumberFormatException | ArithmeticException e) {
      throw new IllegalArgumentException(
          "--python-max-memory: '" + text + "' is not a size like 512m, 2g or 1048576");
    }
  }
}
