package dev.offload.chaos;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code bench/chaos.sh STORE|all [--jobs N] [--ci] [--lease D] [--seed S] [--out DIR]}: runs the
 * chaos harness on one store or on each of SQLite, PostgreSQL and Redis in turn, prints the figures
 * and writes {@code report.json} per store. Exit code 0 when every run met the targets (0 lost, 0
 * completed twice, 0 charged an attempt never run), 1 when one did not, 2 on a usage error or a
 * missing tool.
 */
public final class ChaosMain {
  static final List<String> STORES = List.of("sqlite", "postgresql", "redis");

  private ChaosMain() {}

  public static void main(String[] args) throws Exception {
    // Ctrl-C must not leave worker processes or a private redis-server behind.
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(() ->
                ProcessHandle.current().descendants().forEach(ProcessHandle::destroyForcibly)));
    System.exit(run(args));
  }

  static int run(String[] args) throws Exception {
    if (args.length == 0 || args[0].startsWith("-")) {
      return usage("give a store: sqlite, postgresql, redis or all");
    }
    List<String> stores =
        args[0].equals("all")
            ? STORES
            : List.of(args[0].equals("postgres") ? "postgresql" : args[0]);
    if (!STORES.containsAll(stores)) {
      return usage("unknown store '" + args[0] + "'");
    }
    Integer jobs = null;
    boolean ci = false;
    Duration lease = null;
    Long seed = null;
    Path out = null;
    Path repo = findRepo();
    for (int i = 1; i < args.length; i++) {
      String a = args[i];
      switch (a) {
        case "--ci" -> ci = true;
        case "--jobs" -> jobs = Integer.parseInt(value(args, ++i, a));
        case "--lease" -> lease = Duration.ofMillis(parseMillis(value(args, ++i, a)));
        case "--seed" -> seed = Long.parseLong(value(args, ++i, a));
        case "--out" -> out = Path.of(value(args, ++i, a));
        case "--repo" -> repo = Path.of(value(args, ++i, a));
        default -> {
          return usage("unknown option " + a);
        }
      }
    }
    if (repo == null) {
      return usage("cannot find the checkout (a folder with ./offload and pom.xml); give --repo");
    }
    String stamp =
        DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")
            .withZone(ZoneOffset.UTC)
            .format(Instant.now());
    Path base = out != null ? out : repo.resolve("offload-chaos/target/chaos/" + stamp);
    int code = 0;
    List<Report> reports = new ArrayList<>();
    for (String store : stores) {
      ChaosSettings s =
          ChaosSettings.defaults(store, repo.toAbsolutePath(), base.resolve(store).toAbsolutePath())
              .withJobs(jobs != null ? jobs : ci ? 5_000 : 100_000);
      if (lease != null) {
        s = s.withLease(lease);
      }
      if (seed != null) {
        s = s.withSeed(seed);
      }
      if (ci) {
        s = s.withLimits(Duration.ofMinutes(3), Duration.ofMinutes(2));
      }
      System.out.println("chaos: " + store + ", " + s.jobs() + " jobs, output in " + s.runDir());
      Report report;
      try {
        report = new ChaosRun(s).run();
      } catch (MissingToolException e) {
        System.err.println("chaos: " + store + ": " + e.getMessage());
        return 2;
      }
      reports.add(report);
      System.out.println(report.summary());
      if (!report.targetsMet()) {
        code = 1;
      }
    }
    if (reports.size() > 1) {
      System.out.println("chaos: targets " + (code == 0 ? "met" : "NOT met") + " on " + stores);
    }
    return code;
  }

  private static String value(String[] args, int i, String option) {
    if (i >= args.length) {
      throw new IllegalArgumentException(option + " needs a value");
    }
    return args[i];
  }

  /** {@code 2s}, {@code 1500ms} or ISO-8601 {@code PT2S}. */
  static long parseMillis(String text) {
    if (text.endsWith("ms")) {
      return Long.parseLong(text.substring(0, text.length() - 2));
    }
    if (text.endsWith("s") && !text.startsWith("P")) {
      return Math.round(Double.parseDouble(text.substring(0, text.length() - 1)) * 1000);
    }
    return Duration.parse(text).toMillis();
  }

  private static Path findRepo() {
    String env = System.getenv("OFFLOAD_HOME");
    if (env != null) {
      return Path.of(env);
    }
    for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
      if (Files.isRegularFile(p.resolve("offload")) && Files.isRegularFile(p.resolve("pom.xml"))) {
        return p;
      }
    }
    return null;
  }

  private static int usage(String why) {
    System.err.println("chaos: " + why);
    System.err.println(
        "usage: offload-chaos/bench/chaos.sh sqlite|postgresql|redis|all [--jobs N] [--ci]"
            + " [--lease 2s] [--seed S] [--out DIR]");
    return 2;
  }
}
