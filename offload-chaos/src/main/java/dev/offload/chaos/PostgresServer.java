package dev.offload.chaos;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * A PostgreSQL server of the run's own: initdb and pg_ctl from {@code /usr/lib/postgresql/* /bin}
 * (or {@code $OFFLOAD_TEST_PG_BIN}), a free port, trust auth. As root it runs as {@code nobody}
 * with its data in a temporary directory (PostgreSQL refuses to run as root), as the store tests'
 * own private server does.
 */
final class PostgresServer implements StoreServer {
  private final Path bin;
  private final Path data;
  private final Path log;
  private final int port;
  private final boolean asNobody;

  private PostgresServer(Path bin, Path data, Path log, int port, boolean asNobody) {
    this.bin = bin;
    this.data = data;
    this.log = log;
    this.port = port;
    this.asNobody = asNobody;
  }

  static PostgresServer start(Path runDir) throws Exception {
    Path bin = findBin();
    boolean root = "root".equals(System.getProperty("user.name"));
    Path data = root ? Files.createTempDirectory("offload-chaos-pg") : runDir.resolve("pgdata");
    Files.createDirectories(data);
    if (root) {
      UserPrincipalLookupService users = data.getFileSystem().getUserPrincipalLookupService();
      PosixFileAttributeView view = Files.getFileAttributeView(data, PosixFileAttributeView.class);
      view.setOwner(users.lookupPrincipalByName("nobody"));
      view.setGroup(users.lookupPrincipalByGroupName("nogroup"));
    }
    PostgresServer pg =
        new PostgresServer(bin, data, runDir.resolve("postgres.log"), Processes.freePort(), root);
    pg.tool(
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

  @Override
  public String url() {
    return "postgresql://postgres@127.0.0.1:" + port + "/postgres";
  }

  private void startServer() throws IOException {
    tool(
        "pg_ctl",
        "-D",
        data.toString(),
        "-l",
        data.resolve("server.log").toString(),
        "-w",
        "-t",
        "60",
        "-o",
        "-p " + port + " -k " + data + " -c listen_addresses=127.0.0.1 -c max_connections=200",
        "start");
  }

  /** {@code pg_ctl stop -m immediate}: sessions cut, recovery from the WAL at the next start. */
  @Override
  public boolean restart() throws IOException {
    tool("pg_ctl", "-D", data.toString(), "-m", "immediate", "-w", "stop");
    startServer();
    return true;
  }

  @Override
  public void close() throws IOException {
    try {
      tool("pg_ctl", "-D", data.toString(), "-m", "immediate", "-w", "stop");
    } finally {
      if (asNobody) {
        try (Stream<Path> files = Files.walk(data)) {
          files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
      }
    }
  }

  private void tool(String tool, String... args) throws IOException {
    List<String> command = new ArrayList<>();
    if (asNobody) {
      command.addAll(List.of("setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups"));
    }
    command.add(bin.resolve(tool).toString());
    command.addAll(List.of(args));
    Processes.run(log, 120, command);
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
    throw new MissingToolException(
        "no PostgreSQL server binaries (initdb, pg_ctl) under /usr/lib/postgresql/*/bin;"
            + " install Debian's postgresql or set OFFLOAD_TEST_PG_BIN");
  }
}
