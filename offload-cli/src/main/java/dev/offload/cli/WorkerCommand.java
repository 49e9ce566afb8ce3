package dev.offload.cli;

import dev.offload.Offload;
import dev.offload.OffloadBuilder;
import dev.offload.cli.internal.Engines;
import dev.offload.cli.internal.UntilStopped;
import java.io.PrintWriter;
import java.nio.file.Path;
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

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    python.load();
    OffloadBuilder b =
        Offload.builder()
            .tasks(python.registry(Engines.tasks(Engines.loaderWith(taskJars))))
            .storeUrl(store)
            .queues(new LinkedHashSet<>(queues));
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
    UntilStopped.await(offload::close);
    return ExitCodes.OK;
  }
}
