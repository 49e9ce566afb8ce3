package dev.offload.chaos;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Running helper programs and finding free ports. */
final class Processes {
  private Processes() {}

  /** Runs {@code command} to its end (at most {@code seconds}); its output goes to {@code log}. */
  static void run(Path log, int seconds, List<String> command) throws IOException {
    Process p;
    try {
      p =
          new ProcessBuilder(command)
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
              .start();
    } catch (IOException e) {
      throw new MissingToolException("cannot run " + command.getFirst() + ": " + e.getMessage());
    }
    try {
      if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IOException(String.join(" ", command) + " did not end in " + seconds + " s");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      p.destroyForcibly();
      throw new IOException("interrupted while running " + command.getFirst(), e);
    }
    if (p.exitValue() != 0) {
      throw new IOException(
          String.join(" ", command)
              + " exited with "
              + p.exitValue()
              + ":\n"
              + (Files.exists(log) ? Files.readString(log) : ""));
    }
  }

  /** Sends {@code signal} (STOP, CONT, KILL, TERM) to {@code pid}. */
  static void signal(long pid, String signal) throws IOException {
    Process p = new ProcessBuilder("kill", "-" + signal, Long.toString(pid)).start();
    try {
      if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
        throw new IOException("kill -" + signal + " " + pid + " failed");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while signalling " + pid, e);
    }
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  static boolean ci() {
    return "true".equalsIgnoreCase(System.getenv("CI"));
  }
}
