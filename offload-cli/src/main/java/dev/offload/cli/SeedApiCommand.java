package dev.offload.cli;

import dev.offload.Offload;
import dev.offload.OffloadBuilder;
import dev.offload.cli.internal.UntilStopped;
import dev.offload.examples.seed.SeedApi;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code offload seed-api}: the FastAPI answer's routes, on Offload. */
@Command(
    name = "seed-api",
    description =
        "Start the seed-shaped example: GET /{param}, POST /new_cpu_bound_task/{param}, GET /status/{uid}.")
final class SeedApiCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(
      names = "--host",
      defaultValue = "127.0.0.1",
      description = "Bind address (default ${DEFAULT-VALUE}).")
  String host;

  @Option(names = "--port", defaultValue = "8000", description = "Port (default ${DEFAULT-VALUE}).")
  int port;

  @Option(
      names = "--store",
      description = "Job store URL (default: memory, like the original's dict).")
  String store;

  @Override
  public Integer call() {
    OffloadBuilder b = Offload.builder().tasks(SeedApi.tasks());
    if (store != null) {
      b.storeUrl(store);
    }
    Offload offload = b.build();
    SeedApi api = SeedApi.start(offload, host, port);
    spec.commandLine().getOut().println("seed API on http://" + host + ":" + api.port());
    spec.commandLine().getOut().flush();
    UntilStopped.await(() -> {
      offload.close();
      api.close();
    });
    return ExitCodes.OK;
  }
}
