package dev.offload.cli;

import dev.offload.Offload;
import dev.offload.OffloadBuilder;
import dev.offload.TaskRegistry;
import dev.offload.cli.internal.Engines;
import dev.offload.cli.internal.UntilStopped;
import dev.offload.server.ApiTokens;
import dev.offload.server.OffloadServer;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code offload serve}: the HTTP API with in-process workers, the demo tasks and plugins. */
@Command(
    name = "serve",
    description = "Start the HTTP API (and, unless --no-workers, workers) on a job store.")
final class ServeCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Mixin PythonOptions python = new PythonOptions();

  @Option(
      names = "--host",
      defaultValue = "127.0.0.1",
      description = "Bind address (default ${DEFAULT-VALUE}).")
  String host;

  @Option(
      names = "--port",
      defaultValue = "8080",
      description = "Port (default ${DEFAULT-VALUE}; 0: any free).")
  int port;

  @Option(
      names = "--store",
      description =
          "Job store URL (default: "
              + Engines.DEFAULT_SQLITE
              + " when the SQL store is present, else memory:).")
  String store;

  @ArgGroup(exclusive = true)
  WorkerChoice workerChoice;

  static final class WorkerChoice {
    @Option(names = "--workers", description = "Jobs this instance runs at once (default: cores).")
    Integer workers;

    @Option(
        names = "--no-workers",
        description = "API only: run no jobs here (use separate workers).")
    boolean noWorkers;
  }

  @Option(
      names = "--tasks",
      arity = "1..*",
      paramLabel = "JAR",
      description = "Jars with TaskProviders (ServiceLoader).")
  List<Path> taskJars = new ArrayList<>();

  @Option(
      names = "--child-jvm",
      split = ",",
      paramLabel = "TASK",
      description =
          "Run these tasks in a pool of child JVMs (same class path and task jars; hard isolation"
              + " for crashes and runaway work) instead of the in-process pool.")
  List<String> childJvmTasks = new ArrayList<>();

  @Option(
      names = "--max-body",
      defaultValue = "1048576",
      description = "Largest request body in bytes (default ${DEFAULT-VALUE}).")
  long maxBody;

  @Option(
      names = "--tokens",
      paramLabel = "FILE",
      defaultValue = "${OFFLOAD_TOKENS_FILE}",
      description =
          "API tokens file: one 'SCOPES TOKEN' a line (scopes read, submit, admin;"
              + " token or sha256:HEX); env OFFLOAD_TOKENS_FILE. Without it only loopback is safe.")
  Path tokensFile;

  @Option(
      names = "--insecure",
      description = "Allow a non-loopback --host without --tokens (anyone reaching it may act).")
  boolean insecure;

  @Option(names = "--metrics-open", description = "Serve /metrics without a token.")
  boolean metricsOpen;

  @Option(
      names = "--tls-cert",
      paramLabel = "FILE",
      description = "PEM certificate (chain): HTTPS.")
  Path tlsCert;

  @Option(names = "--tls-key", paramLabel = "FILE", description = "PEM private key of --tls-cert.")
  Path tlsKey;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    if ((tlsCert == null) != (tlsKey == null)) {
      throw new IllegalArgumentException("--tls-cert and --tls-key go together; give both");
    }
    ApiTokens tokens;
    try {
      tokens = tokensFile == null ? null : ApiTokens.load(tokensFile);
    } catch (java.io.UncheckedIOException e) {
      throw new IllegalArgumentException("--tokens: " + e.getMessage(), e);
    }
    ClassLoader loader = Engines.loaderWith(taskJars);
    String url = Engines.storeUrl(store, err);
    python.load();
    TaskRegistry tasks = python.registry(Engines.tasks(loader));
    OffloadBuilder b = Offload.builder().tasks(tasks).storeUrl(url);
    python.executors(b);
    for (String task : childJvmTasks) {
      tasks.get(task); // an unknown name fails here, naming the tasks there are
      b.executor(task, Engines.childJvms(task, taskJars));
    }
    if (workerChoice != null && workerChoice.noWorkers) {
      b.workers(false);
    } else if (workerChoice != null && workerChoice.workers != null) {
      b.workerConcurrency(workerChoice.workers);
    }
    Offload offload = build(b);
    OffloadServer server;
    try {
      OffloadServer.Builder sb =
          OffloadServer.builder(offload)
              .host(host)
              .port(port)
              .maxBodySize(maxBody)
              .insecure(insecure)
              .metricsOpen(metricsOpen);
      if (tokens != null) {
        sb.tokens(tokens);
      }
      if (tlsCert != null) {
        sb.tls(tlsCert, tlsKey);
      }
      try {
        server = sb.build().start();
      } catch (IllegalStateException e) {
        throw new IllegalArgumentException(e.getMessage(), e); // a setting, not a crash: exit 2
      }
    } catch (RuntimeException e) {
      offload.close();
      throw e;
    }
    if (tokens == null && insecure) {
      err.println(
          "WARNING: --insecure: "
              + server.boundAddress()
              + " answers anyone who reaches it, without a token");
    }
    out.println(
        "Offload listening on "
            + server.boundAddress()
            + (tokens == null ? " (no tokens)" : " (" + tokens.size() + " API tokens)")
            + " (store "
            + Engines.describe(url)
            + ", "
            + (workerChoice != null && workerChoice.noWorkers ? "no workers" : "workers on")
            + ", tasks "
            + offload.tasks().all().stream().map(t -> t.name()).toList()
            + "); docs at "
            + server.url()
            + "/docs");
    out.flush();
    UntilStopped.await(server::shutdownGracefully);
    return ExitCodes.OK;
  }

  private Offload build(OffloadBuilder b) {
    try {
      return b.build();
    } catch (RuntimeException e) {
      python.closeAll();
      throw e;
    }
  }
}
