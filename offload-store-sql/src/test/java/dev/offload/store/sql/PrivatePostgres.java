package dev.offload.store.sql;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;

/**
 * A PostgreSQL server of the test's own (initdb + pg_ctl from {@code /usr/lib/postgresql/* /bin},
 * or {@code OFFLOAD_TEST_PG_BIN}), on its own port with its data under {@code target/}, for tests
 * that stop or restart the server: the machine's shared server is never touched. As root the server
 * runs as {@code nobody} (PostgreSQL refuses to run as root).
 */
final class PrivatePostgres implements AutoCloseable {
  private final Path bin;
  private final Path data;
  private final int port;
  private final boolean asNobody;

  private PrivatePostgres(Path bin, Path data, int port, boolean asNobody) {
    this.bin = bin;
    this.data = data;
    this.port = port;
    this.asNobody = asNobody;
  }

  /** Initializes and starts a server; skips the test (fails under CI) without the binaries. */
  static PrivatePostgres start() throws Exception {
    Path bin = findBin();
    boolean root = "root".equals(System.getProperty("user.name"));
    String name = "pg-private-" + ProcessHandle.current().pid() + "-" + System.nanoTime();
    Path target = Path.of("target").toAbsolutePath();
    // The server runs as nobody when we are root: it must be able to reach its data directory.
    // A checkout under /root (mode 700) is not reachable, so fall back to the temp directory.
    Path data =
        root && !reachableByOthers(target)
            ? Files.createTempDirectory("offload-" + name)
            : target.resolve(name);
    Files.createDirectories(data);
    if (root) {
      UserPrincipalLookupService users = data.getFileSystem().getUserPrincipalLookupService();
      PosixFileAttributeView view = Files.getFileAttributeView(data, PosixFileAttributeView.class);
      view.setOwner(users.lookupPrincipalByName("nobody"));
      GroupPrincipal group = users.lookupPrincipalByGroupName("nogroup");
      view.setGroup(group);
    }
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    PrivatePostgres pg = new PrivatePostgres(bin, data, port, root);
    pg.run(
        "initdb",
        "-D",
        data.toString(),
        "-U",
        "postgres",
        "--auth=trust",
        "-E",
        "UTF8",
        "--locale=C",
        "--no-sync");
    pg.startServer();
    return pg;
  }

  String url() {
    return "postgresql://postgres@127.0.0.1:" + port + "/postgres";
  }

  void startServer() throws Exception {
    run(
        "pg_ctl",
        "-D",
        data.toString(),
        "-l",
        data.resolve("server.log").toString(),
        "-w",
        "-t",
        "60",
        "-o",
        "-p " + port + " -k " + data + " -c listen_addresses=127.0.0.1",
        "start");
  }

  /** Stops at once, like a crash: sessions are cut and the server recovers from its WAL. */
  void stopImmediately() throws Exception {
    run("pg_ctl", "-D", data.toString(), "-m", "immediate", "-w", "stop");
  }

  @Override
  public void close() throws Exception {
    try {
      stopImmediately();
    } finally {
      try (Stream<Path> files = Files.walk(data)) {
        files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  private void run(String tool, String... args) throws Exception {
    List<String> command = new ArrayList<>();
    if (asNobody) {
      command.addAll(List.of("setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups"));
    }
    command.add(bin.resolve(tool).toString());
    command.addAll(List.of(args));
    Path log = Files.createTempFile("pg-" + tool, ".log");
    try {
      Process p =
          new ProcessBuilder(command)
              .directory(data.toFile())
              .redirectErrorStream(true)
              .redirectOutput(log.toFile())
              .start();
      if (!p.waitFor(90, TimeUnit.SECONDS) || p.exitValue() != 0) {
        p.destroyForcibly();
        String serverLog =
            Files.exists(data.resolve("server.log"))
                ? Files.readString(data.resolve("server.log"))
                : "";
        throw new IOException(
            String.join(" ", command) + " failed:\n" + Files.readString(log) + "\n" + serverLog);
      }
    } finally {
      Files.deleteIfExists(log);
    }
  }

  private static boolean reachableByOthers(Path dir) throws IOException {
    for (Path p = dir; p != null; p = p.getParent()) {
      if (Files.exists(p)
          && !Files.getPosixFilePermissions(p).contains(PosixFilePermission.OTHERS_EXECUTE)) {
        return false;
      }
    }
    return true;
  }

  private static Path findBin() throws IOException {
    String env = System.getenv("OFFLOAD_TEST_PG_BIN");
    if (env != null) {
      return Path.of(env);
    }
    Path root = Path.of("/usr/lib/postgresql");
    if (Files.isDirectory(root)) {
      try (Stream<Path> versions = Files.list(root)) {
        var found =
            versions
                .map(v -> v.resolve("bin"))
                .filter(b -> Files.isExecutable(b.resolve("pg_ctl")))
                .max(Comparator.comparing(Path::toString));
        if (found.isPresent()) {
          return found.get();
        }
      }
    }
    String why = "no PostgreSQL server binaries (initdb, pg_ctl) under /usr/lib/postgresql";
    if ("true".equalsIgnoreCase(System.getenv("CI"))) {
      fail(why + " (CI=true)");
    }
    Assumptions.abort(why + "; set OFFLOAD_TEST_PG_BIN to run this test");
    throw new IllegalStateException("unreachable");
  }
}
