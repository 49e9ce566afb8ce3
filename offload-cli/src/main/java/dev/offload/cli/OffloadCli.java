package dev.offload.cli;

import dev.offload.InvalidInputException;
import dev.offload.client.OffloadHttpException;
import dev.offload.client.ServerUnreachableException;
import dev.offload.server.internal.Requests;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code offload} command. {@code ./offload serve} starts the server; the client commands talk
 * to one over HTTP ({@code --url}); {@code worker}, {@code migrate} and {@code bench} work on a
 * store directly. Exit codes: {@link ExitCodes}.
 *
 * <pre>{@code
 * ./offload serve --port 8080
 * ./offload submit spin --input '{"ms": 200}' --wait
 * ./offload jobs --state failed --output json
 * }</pre>
 */
@Command(
    name = "offload",
    mixinStandardHelpOptions = true,
    version = "offload 0.1.0",
    description = "Offload: CPU-bound work off the request path, as durable jobs.",
    subcommands = {
      ServeCommand.class,
      WorkerCommand.class,
      MigrateCommand.class,
      ClientCommands.Submit.class,
      ClientCommands.Status.class,
      ClientCommands.Jobs.class,
      ClientCommands.Cancel.class,
      ClientCommands.Retry.class,
      ClientCommands.Tasks.class,
      SeedApiCommand.class,
      BenchCommand.class,
      CommandLine.HelpCommand.class
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:success",
      "1:job failed or cancelled (submit --wait), or an unexpected error",
      "2:usage error",
      "3:job or task not found",
      "4:server unreachable",
      "5:request refused (invalid input, too large, state conflict)",
      "6:server busy or unavailable (429/503); try again later",
      "7:timed out"
    })
public final class OffloadCli implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  public static void main(String[] args) {
    // One log for everything: Helidon's java.util.logging records go to SLF4J (logback.xml).
    org.slf4j.bridge.SLF4JBridgeHandler.removeHandlersForRootLogger();
    org.slf4j.bridge.SLF4JBridgeHandler.install();
    PrintWriter out = new PrintWriter(System.out, true, StandardCharsets.UTF_8);
    PrintWriter err = new PrintWriter(System.err, true, StandardCharsets.UTF_8);
    System.exit(run(out, err, args));
  }

  /** Runs the command line in this process and returns its exit code (tests call this). */
  public static int run(PrintWriter out, PrintWriter err, String... args) {
    CommandLine cli = new CommandLine(new OffloadCli());
    cli.setOut(out);
    cli.setErr(err);
    cli.setCaseInsensitiveEnumValuesAllowed(true);
    cli.registerConverter(
        Duration.class,
        text -> {
          Duration d = Requests.parseDuration(text);
          if (d == null) {
            throw new CommandLine.TypeConversionException(
                "'" + text + "' is not a duration; use PT10S, 500ms, 10s, 2m or 1h");
          }
          return d;
        });
    cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
      PrintWriter w = commandLine.getErr();
      int code = exitCode(e);
      w.println("offload: " + message(e));
      w.flush();
      return code;
    });
    int code = cli.execute(args);
    out.flush();
    err.flush();
    return code;
  }

  static int exitCode(Throwable e) {
    return switch (e) {
      case ServerUnreachableException u -> ExitCodes.UNREACHABLE;
      case OffloadHttpException h -> ExitCodes.forStatus(h.status());
      case InvalidInputException i -> ExitCodes.USAGE;
      case IllegalArgumentException i -> ExitCodes.USAGE;
      default -> ExitCodes.FAILED;
    };
  }

  static String message(Throwable e) {
    if (e instanceof ServerUnreachableException u) {
      return u.getMessage() + " (is the server running? start it with ./offload serve)";
    }
    if (e instanceof OffloadHttpException h) {
      return h.detail() + " (HTTP " + h.status() + ")";
    }
    return e.getMessage() == null ? e.toString() : e.getMessage();
  }
}
