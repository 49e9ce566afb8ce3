package dev.offload.cli;

import dev.offload.Offload;
import dev.offload.OffloadBuilder;
import dev.offload.TaskRegistry;
import dev.offload.cli.internal.Engines;
import dev.offload.cli.internal.EventsLog;
import dev.offload.cli.internal.UntilStopped;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code offload worker}: runs jobs from a shared store, no HTTP. */
@Command(
    name = "worker",
    description = "Run jobs from a job store (no HTTP); stop with SIGTERM / Ctrl-C.")
final class WorkerCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Mixin PythonOptions python = new PythonOptions();

  @Option(
      names = "--store",
      required = true,
      description = "Job store URL (sqlite:PATH, postgresql://..., redis://...).")
  String store;

  @Option(names = "--queues", split = ",", description = "Only these queues (default: all).")
  List<String> queues = new ArrayList<>();

  @Option(names = "--concurrency", description = "Jobs at once (default: cores).")
  Integer concurrency;

  @Option(
      names = "--tasks",
      arity = "1..*",
      paramLabel = "JAR",
      description = "Jars with TaskProviders (ServiceLoader).")
  List<Path> taskJars = new ArrayList<>();

  @Option(
      names = "--lease",
      paramLabel = "DURATION",
      description =
          "How long a claimed job stays leased without a heartbeat, e.g. 2s or PT2S (default: 10s).")
  Duration lease;

  @Option(
      names = "--events-log",
      paramLabel = "FILE",
      description =
          "Append one JSON line per task-code start and end on this worker (job, attempt, worker,"
              + " pid, time, outcome).")
  Path eventsLog;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    if (lease != null && (lease.isNegative() || lease.isZero())) {
      throw new IllegalArgumentException("--lease must be positive, was " + lease);
    }
    // The log names the worker on every line, so the worker id is chosen here; it is opened
    // before any Python child starts, so a bad path leaves nothing running.
    String workerId =
        "worker-" + ProcessHandle.current().pid() + "-" + Long.toHexString(System.nanoTime());
    EventsLog events = eventsLog == null ? null : EventsLog.open(eventsLog, workerId);
    try {
      python.load();
    } catch (RuntimeException e) {
      if (events != null) {
        events.close();
      }
      throw e;
    }
    TaskRegistry tasks = python.registry(Engines.tasks(Engines.loaderWith(taskJars)));
    OffloadBuilder b = Offload.builder().storeUrl(store).queues(new LinkedHashSet<>(queues));
    if (events != null) {
      tasks = events.wrap(tasks);
      b.workerId(workerId);
    }
    b.tasks(tasks);
    if (lease != null) {
      b.leaseDuration(lease);
      // The store is polled at least twice per lease (the default poll is 1 s).
      b.pollInterval(min(Duration.ofSeconds(1), lease.dividedBy(2)));
    }
    python.executors(b);
    if (concurrency != null) {
      b.workerConcurrency(concurrency);
      b.threads(Math.max(concurrency, Runtime.getRuntime().availableProcessors()));
    }
    Offload offload;
    try {
      offload = b.build();
    } catch (RuntimeException e) {
      python.closeAll();
      if (events != null) {
        events.close();
      }
      throw e;
    }
    out.println(
        "Offload worker on "
            + Engines.describe(store)
            + " (queues "
            + (queues.isEmpty() ? "all" : String.join(",", queues))
            + ", concurrency "
            + (concurrency == null ? Runtime.getRuntime().availableProcessors() : concurrency)
            + ", tasks "
            + offload.tasks().all().stream().map(t -> t.name()).toList()
            + ")");
    out.flush();
    EventsLog opened = events;
    UntilStopped.await(() -> {
      try {
        offload.close();
      } finally {
        if (opened != null) {
          opened.close();
        }
      }
    });
    return ExitCodes.OK;
  }

  private static Duration min(Duration a, Duration b) {
    return a.compareTo(b) <= 0 ? a : b;
  }
}
