package dev.offload.cli;

import dev.offload.JobStores;
import dev.offload.cli.internal.Engines;
import dev.offload.spi.JobStore;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code offload migrate}: creates or upgrades a store's schema, then exits. */
@Command(name = "migrate", description = "Create or upgrade the job store's schema and exit.")
final class MigrateCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--store", required = true, description = "Job store URL.")
  String store;

  @Override
  public Integer call() {
    // Opening a store applies its migrations (JobStoreProvider#open).
    try (JobStore opened = JobStores.open(store)) {
      if (!opened.isHealthy()) {
        spec.commandLine()
            .getErr()
            .println("offload: store " + Engines.describe(store) + " does not answer");
        return ExitCodes.BUSY;
      }
    }
    spec.commandLine().getOut().println("store " + Engines.describe(store) + ": schema up to date");
    return ExitCodes.OK;
  }
}
