package dev.offload.chaos;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One of the run's {@code offload worker} processes; a restart after a kill starts a new process in
 * the same slot, with its own events log and output file.
 */
final class WorkerSlot {
  private final int index;
  private final ChaosSettings settings;
  private final String storeUrl;
  private final Path tasks;
  private int generation;
  private Process process;
  private Path eventsLog;
  private long workingSince;

  WorkerSlot(int index, ChaosSettings settings, String storeUrl, Path tasks) {
    this.index = index;
    this.settings = settings;
    this.storeUrl = storeUrl;
    this.tasks = tasks;
  }

  void start() throws IOException {
    generation++;
    workingSince = 0;
    String name = "w" + index + "-" + generation;
    eventsLog = settings.runDir().resolve("events-" + name + ".jsonl");
    List<String> command = new ArrayList<>();
    command.add(settings.repo().resolve("offload").toString());
    command.addAll(
        List.of(
            "worker",
            "--store",
            storeUrl,
            "--concurrency",
            Integer.toString(settings.concurrency()),
            "--lease",
            settings.lease().toMillis() + "ms",
            "--events-log",
            eventsLog.toString(),
            "--tasks",
            tasks.toString()));
    ProcessBuilder pb =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(settings.runDir().resolve("worker-" + name + ".log").toFile());
    // ./offload execs java: the process we signal is the worker JVM itself.
    pb.environment().put("OFFLOAD_SKIP_BUILD", "1");
    pb.environment()
        .put(
            "OFFLOAD_JAVA_OPTS",
            System.getenv().getOrDefault("OFFLOAD_CHAOS_JAVA_OPTS", "-Xmx512m -XX:+UseSerialGC"));
    process = pb.start();
  }

  long pid() {
    return process.pid();
  }

  /**
   * Whether this process is up and working: it has run task code (its events log is not empty).
   * Under load a JVM takes seconds to start; killing one before that tests nothing.
   */
  boolean working() {
    if (workingSince != 0) {
      return process.isAlive();
    }
    try {
      if (process != null && process.isAlive() && Files.size(eventsLog) > 0) {
        workingSince = System.nanoTime();
        return true;
      }
    } catch (IOException e) {
      // no log yet
    }
    return false;
  }

  /** Whether it has been {@link #working()} for at least {@code d}. */
  boolean workingFor(java.time.Duration d) {
    return working() && System.nanoTime() - workingSince >= d.toNanos();
  }

  /** SIGKILL, wait for the process to be gone. */
  void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(30, TimeUnit.SECONDS);
  }

  void pause() throws IOException {
    Processes.signal(process.pid(), "STOP");
  }

  void resume() throws IOException {
    Processes.signal(process.pid(), "CONT");
  }

  /** SIGTERM (graceful: running attempts finish, prefetched jobs are released), then SIGKILL. */
  void stop() throws InterruptedException {
    if (process == null) {
      return;
    }
    process.destroy();
    if (!process.waitFor(60, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      process.waitFor(30, TimeUnit.SECONDS);
    }
  }

  @Override
  public String toString() {
    return "worker w" + index + " (pid " + (process == null ? "-" : process.pid()) + ")";
  }
}
