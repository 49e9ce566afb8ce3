package dev.offload.process;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.offload.Task;
import dev.offload.TaskContext;
import dev.offload.process.internal.ChildPool;
import dev.offload.process.internal.JavaChildMain;
import dev.offload.process.internal.PoolSettings;
import dev.offload.process.internal.Protocol;
import dev.offload.spi.TaskExecutor;
import dev.offload.spi.TaskProvider;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/**
 * A supervised pool of long-lived child processes that run task attempts, speaking JSON lines over
 * stdin/stdout (docs/PROCESS-WORKERS.md). Unlike a thread, a child can be killed: a runaway task is
 * stopped at its hard time limit, a task over its memory limit is stopped, and a crash fails only
 * the attempt that was running, while the pool respawns the child.
 *
 * <p>Java tasks run in child JVMs on the same class path, found through {@link TaskProvider}s:
 *
 * <pre>{@code
 * ProcessExecutor children = ProcessExecutor.javaChild()
 *     .softTimeLimit(Duration.ofSeconds(30))
 *     .hardTimeLimit(Duration.ofSeconds(35))
 *     .maxMemory(512L << 20)
 *     .recycleAfter(1_000)
 *     .build();
 * Offload offload = Offload.builder().tasks(registry).executor("render", children).build();
 * }</pre>
 *
 * <p>Any executable that speaks the protocol can be a worker, for example a Python script using the
 * bundled {@code offload.worker} module (see also {@link PythonTasks}):
 *
 * <pre>{@code
 * ProcessExecutor py = ProcessExecutor.python(Path.of("worker.py")).size(4).build();
 * Task<In, Out> t = ExternalTask.of("cpu_bound_func", In.class, Out.class);
 * Out out = py.execute(t, new In(42), context).join();
 * }</pre>
 */
public final class ProcessExecutor implements TaskExecutor {
  private final ChildPool pool;
  private final String name;

  private ProcessExecutor(PoolSettings settings) {
    this.name = settings.name();
    this.pool = new ChildPool(settings);
  }

  /** Children running {@code command} (the executable first, then its arguments). */
  public static Builder command(String... command) {
    return command(Arrays.asList(command));
  }

  /** Children running {@code command} (the executable first, then its arguments). */
  public static Builder command(List<String> command) {
    if (command.isEmpty() || command.stream().anyMatch(Objects::isNull)) {
      throw new IllegalArgumentException("command must be non-empty without nulls: " + command);
    }
    return new Builder(List.copyOf(command), false);
  }

  /**
   * Children that are JVMs running this application's class path and the tasks of its {@link
   * TaskProvider}s ({@code META-INF/services/dev.offload.spi.TaskProvider}).
   */
  public static Builder javaChild() {
    return new Builder(List.of(), true);
  }

  /**
   * The files of the Python package {@code offload} bundled in this jar (from {@code
   * clients/python/src/offload}): the client and the {@code offload.worker} helper children import.
   * A test keeps this list equal to that folder.
   */
  static final List<String> PYTHON_PACKAGE =
      List.of(
          "__init__.py",
          "__main__.py",
          "_http.py",
          "_sse.py",
          "aio.py",
          "client.py",
          "errors.py",
          "models.py",
          "py.typed",
          "worker.py");

  /**
   * Children running {@code python3 script}, with the bundled {@code offload} package (whose {@code
   * offload.worker} has {@code serve} and {@code @task}) on {@code PYTHONPATH}, extracted to a
   * temporary directory. For a file of {@code @task} functions, {@link PythonTasks} also learns the
   * task names.
   */
  public static Builder python(Path script) {
    return python("python3", script);
  }

  /** {@link #python(Path)} with another interpreter (a virtualenv's, say). */
  public static Builder python(String interpreter, Path script) {
    return command(interpreter, "-u", script.toString())
        .environment("PYTHONPATH", PythonTasks.pythonPath(extractPythonHelper()));
  }

  /**
   * Writes the bundled {@code offload} Python package to a new temporary directory and returns that
   * directory (for {@code PYTHONPATH}).
   */
  public static Path extractPythonHelper() {
    try {
      Path dir = Files.createTempDirectory("offload-python");
      Path pkg = Files.createDirectory(dir.resolve("offload"));
      dir.toFile().deleteOnExit();
      pkg.toFile().deleteOnExit();
      for (String name : PYTHON_PACKAGE) {
        try (InputStream in = ProcessExecutor.class.getResourceAsStream("python/offload/" + name)) {
          if (in == null) {
            throw new IllegalStateException(
                "offload/" + name + " (Python package) is missing from the offload-process jar");
          }
          Path file = pkg.resolve(name);
          Files.copy(in, file);
          file.toFile().deleteOnExit();
        }
      }
      return dir;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot extract the offload Python package", e);
    }
  }

  @Override
  public <I, O> CompletableFuture<O> execute(Task<I, O> task, I input, TaskContext context) {
    return pool.execute(task, input, context);
  }

  @Override
  public int parallelism() {
    return pool.size();
  }

  @Override
  public ExecutorStats stats() {
    ProcessPoolStats p = pool.stats();
    return new ExecutorStats(p.size(), p.busy(), p.queued(), p.queueCapacity());
  }

  /** Children alive, busy and idle, restarts, crashes, kills and recycles. */
  public ProcessPoolStats processStats() {
    return pool.stats();
  }

  /** A snapshot of every live child (pid, state, tasks run, resident memory). */
  public List<ChildInfo> children() {
    return pool.children();
  }

  /** Waits until every child is ready (they start in the background at {@code build()}). */
  public boolean awaitReady(Duration timeout) throws InterruptedException {
    return pool.awaitReady(timeout);
  }

  public String name() {
    return name;
  }

  /**
   * Stops taking work. Queued and running attempts go on until they finish (or their time limit or
   * a cancel stops them); then the children are asked to exit.
   */
  @Override
  public void close() {
    pool.close();
  }

  /** Fails queued and running attempts and kills every child at once. */
  public void shutdownNow() {
    pool.shutdownNow();
  }

  /** Waits until every child has exited after {@link #close()} or {@link #shutdownNow()}. */
  public boolean awaitTermination(Duration timeout) throws InterruptedException {
    return pool.awaitTermination(timeout);
  }

  @Override
  public String toString() {
    return "ProcessExecutor[" + name + ", " + pool.stats() + "]";
  }

  /**
   * Configures a {@link ProcessExecutor}. Every setting has a default; a bad value or a conflict
   * fails at once, naming the setting. Single use.
   */
  public static final class Builder {
    private final List<String> command;
    private final boolean java;
    private String name;
    private int size = Runtime.getRuntime().availableProcessors();
    private Integer queueCapacity;
    private Duration softTimeLimit;
    private Duration hardTimeLimit;
    private Duration cancelGrace = Duration.ofSeconds(2);
    private long maxMemory;
    private long maxResidentMemory;
    private int recycleAfter;
    private Duration backoffInitial = Duration.ofMillis(100);
    private Duration backoffMax = Duration.ofSeconds(10);
    private int maxStartFailures = 3;
    private Duration startupTimeout = Duration.ofSeconds(30);
    private Duration heartbeatInterval = Duration.ofSeconds(1);
    private Duration heartbeatTimeout = Duration.ofSeconds(30);
    private Duration watchdogInterval = Duration.ofMillis(250);
    private Duration shutdownGrace = Duration.ofSeconds(5);
    private int stderrTailBytes = 64 * 1024;
    private final Map<String, String> environment = new LinkedHashMap<>();
    private Path workingDirectory;
    private ObjectMapper mapper;
    private final List<String> jvmOptions = new ArrayList<>(List.of("-XX:+UseSerialGC"));
    private String classPath;
    private Path javaExecutable;
    private final List<String> providers = new ArrayList<>();
    private final List<String> javaOnly = new ArrayList<>();
    private boolean built;

    private Builder(List<String> command, boolean java) {
      this.command = command;
      this.java = java;
    }

    /** A label for logs and threads (default: the executable's file name, or "java-child"). */
    public Builder name(String label) {
      this.name = Objects.requireNonNull(label, "name");
      return this;
    }

    /** Children in the pool (default: the number of cores). */
    public Builder size(int children) {
      if (children < 1) {
        throw new IllegalArgumentException("size must be >= 1, was " + children);
      }
      this.size = children;
      return this;
    }

    /** Attempts that may wait for a child before {@code execute} refuses (default: size × 256). */
    public Builder queueCapacity(int capacity) {
      if (capacity < 0) {
        throw new IllegalArgumentException("queueCapacity must be >= 0, was " + capacity);
      }
      this.queueCapacity = capacity;
      return this;
    }

    /** When a {@code cancel} is sent to ask the attempt to stop (default: none). */
    public Builder softTimeLimit(Duration limit) {
      this.softTimeLimit = positive("softTimeLimit", limit);
      return this;
    }

    /**
     * When the child is killed and the attempt fails with {@link ChildTimeoutException} (default:
     * none; with only a soft limit, the soft limit plus the cancel grace).
     */
    public Builder hardTimeLimit(Duration limit) {
      this.hardTimeLimit = positive("hardTimeLimit", limit);
      return this;
    }

    /** How long a cancelled attempt may take to stop before its child is killed (default: 2 s). */
    public Builder cancelGrace(Duration grace) {
      this.cancelGrace = positive("cancelGrace", grace);
      return this;
    }

    /**
     * The memory limit of each child, applied when it starts: for Java children the heap ({@code
     * -Xmx}; an {@code OutOfMemoryError} ends the child with exit code 3), for other commands the
     * address space ({@code RLIMIT_AS}, through {@code prlimit --as}, or {@code ulimit -v} in
     * {@code /bin/sh} where prlimit is missing). Default: none.
     */
    public Builder maxMemory(long bytes) {
      if (bytes < 16L << 20) {
        throw new IllegalArgumentException("maxMemory must be >= 16 MiB, was " + bytes + " bytes");
      }
      this.maxMemory = bytes;
      return this;
    }

    /**
     * A resident-memory limit the supervisor checks while a child runs an attempt (reading /proc,
     * summed over the child's process tree, every watchdog interval); over it, the child is killed
     * and the attempt fails with {@link MemoryLimitExceededException}. Works for any executable,
     * including those that reserve more address space than they use (JVMs, Go). Default: none.
     */
    public Builder maxResidentMemory(long bytes) {
      if (bytes < 1L << 20) {
        throw new IllegalArgumentException(
            "maxResidentMemory must be >= 1 MiB, was " + bytes + " bytes");
      }
      this.maxResidentMemory = bytes;
      return this;
    }

    /** Replaces each child after it finished this many attempts (default: 0, never). */
    public Builder recycleAfter(int tasks) {
      if (tasks < 0) {
        throw new IllegalArgumentException("recycleAfter must be >= 0, was " + tasks);
      }
      this.recycleAfter = tasks;
      return this;
    }

    /**
     * Delay before respawning a child that keeps crashing: none after one crash, then {@code
     * initial}, doubling up to {@code max} (default: 100 ms, 10 s). A finished task resets it.
     */
    public Builder crashBackoff(Duration initial, Duration max) {
      positive("crashBackoff initial", initial);
      positive("crashBackoff max", max);
      if (initial.compareTo(max) > 0) {
        throw new IllegalArgumentException(
            "crashBackoff initial (" + initial + ") must not exceed max (" + max + ")");
      }
      this.backoffInitial = initial;
      this.backoffMax = max;
      return this;
    }

    /**
     * Consecutive failed starts (no child ready in between) after which waiting attempts fail with
     * {@link ChildStartException} instead of waiting (default: 3).
     */
    public Builder maxStartFailures(int failures) {
      if (failures < 1) {
        throw new IllegalArgumentException("maxStartFailures must be >= 1, was " + failures);
      }
      this.maxStartFailures = failures;
      return this;
    }

    /** How long a child may take to say {@code ready} (default: 30 s). */
    public Builder startupTimeout(Duration timeout) {
      this.startupTimeout = positive("startupTimeout", timeout);
      return this;
    }

    /**
     * How often children send a heartbeat (passed as {@code OFFLOAD_HEARTBEAT_MS}) and how long a
     * child may stay silent before it counts as hung and is killed (default: 1 s and 30 s).
     */
    public Builder heartbeat(Duration interval, Duration timeout) {
      positive("heartbeat interval", interval);
      positive("heartbeat timeout", timeout);
      if (interval.compareTo(timeout) >= 0) {
        throw new IllegalArgumentException(
            "heartbeat interval ("
                + interval
                + ") must be shorter than its timeout ("
                + timeout
                + ")");
      }
      this.heartbeatInterval = interval;
      this.heartbeatTimeout = timeout;
      return this;
    }

    /** Children are never killed for being silent (they still receive a heartbeat interval). */
    public Builder noHeartbeatTimeout() {
      this.heartbeatTimeout = null;
      return this;
    }

    /** How often hung children and resident memory are checked (default: 250 ms). */
    public Builder watchdogInterval(Duration interval) {
      this.watchdogInterval = positive("watchdogInterval", interval);
      return this;
    }

    /** How long a child asked to exit (recycled, pool closed) has before it is killed (5 s). */
    public Builder shutdownGrace(Duration grace) {
      this.shutdownGrace = positive("shutdownGrace", grace);
      return this;
    }

    /** How much of each child's stderr is kept for error details (default: 64 KiB). */
    public Builder stderrTailBytes(int bytes) {
      if (bytes < 1024) {
        throw new IllegalArgumentException("stderrTailBytes must be >= 1024, was " + bytes);
      }
      this.stderrTailBytes = bytes;
      return this;
    }

    /** An environment variable for the children (added to this process's environment). */
    public Builder environment(String key, String value) {
      environment.put(Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value"));
      return this;
    }

    /** The children's working directory (default: this process's). */
    public Builder workingDirectory(Path dir) {
      this.workingDirectory = Objects.requireNonNull(dir, "workingDirectory");
      return this;
    }

    /** The mapper for inputs and outputs (default: Jackson with Java time as ISO strings). */
    public Builder objectMapper(ObjectMapper objectMapper) {
      this.mapper = Objects.requireNonNull(objectMapper, "objectMapper");
      return this;
    }

    /** Java children: JVM options, replacing the default {@code -XX:+UseSerialGC}. */
    public Builder jvmOptions(String... options) {
      javaOnly.add("jvmOptions");
      jvmOptions.clear();
      jvmOptions.addAll(Arrays.asList(options));
      return this;
    }

    /** Java children: the class path (default: this JVM's {@code java.class.path}). */
    public Builder classPath(String path) {
      javaOnly.add("classPath");
      this.classPath = Objects.requireNonNull(path, "classPath");
      return this;
    }

    /** Java children: the {@code java} executable (default: this JVM's). */
    public Builder javaExecutable(Path executable) {
      javaOnly.add("javaExecutable");
      this.javaExecutable = Objects.requireNonNull(executable, "javaExecutable");
      return this;
    }

    /** Java children: load only these providers' tasks (default: every provider found). */
    @SafeVarargs
    public final Builder taskProviders(Class<? extends TaskProvider>... types) {
      javaOnly.add("taskProviders");
      for (Class<? extends TaskProvider> t : types) {
        providers.add(t.getName());
      }
      return this;
    }

    public ProcessExecutor build() {
      if (built) {
        throw new IllegalStateException("this builder was already used; make a new one");
      }
      if (!java && !javaOnly.isEmpty()) {
        throw new IllegalArgumentException(
            javaOnly + " apply to javaChild() executors only, not to command " + command);
      }
      if (softTimeLimit != null
          && hardTimeLimit != null
          && softTimeLimit.compareTo(hardTimeLimit) >= 0) {
        throw new IllegalArgumentException(
            "softTimeLimit ("
                + softTimeLimit
                + ") must be shorter than hardTimeLimit ("
                + hardTimeLimit
                + ")");
      }
      built = true;
      List<String> fullCommand = java ? javaCommand() : MemoryWrapper.wrap(command, maxMemory);
      String label =
          name != null
              ? name
              : java ? "java-child" : Path.of(command.get(0)).getFileName().toString();
      return new ProcessExecutor(
          new PoolSettings(
              label,
              fullCommand,
              environment,
              workingDirectory,
              java,
              size,
              queueCapacity != null ? queueCapacity : size * 256,
              softTimeLimit,
              hardTimeLimit,
              cancelGrace,
              maxMemory,
              maxResidentMemory,
              recycleAfter,
              backoffInitial,
              backoffMax,
              maxStartFailures,
              startupTimeout,
              heartbeatInterval,
              heartbeatTimeout,
              watchdogInterval,
              shutdownGrace,
              stderrTailBytes,
              mapper != null ? mapper : Protocol.defaultMapper()));
    }

    private List<String> javaCommand() {
      List<String> c = new ArrayList<>();
      c.add(
          (javaExecutable != null
                  ? javaExecutable
                  : Path.of(System.getProperty("java.home"), "bin", "java"))
              .toString());
      c.addAll(jvmOptions);
      if (maxMemory > 0) {
        c.add("-Xmx" + (maxMemory >> 20) + "m");
      }
      c.add("-cp");
      c.add(classPath != null ? classPath : System.getProperty("java.class.path"));
      c.add(JavaChildMain.class.getName());
      if (!providers.isEmpty()) {
        c.add("--providers");
        c.add(String.join(",", providers));
      }
      return c;
    }

    private static Duration positive(String setting, Duration d) {
      Objects.requireNonNull(d, setting);
      if (d.isNegative() || d.isZero()) {
        throw new IllegalArgumentException(setting + " must be positive, was " + d);
      }
      return d;
    }
  }
}
