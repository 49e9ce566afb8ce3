package dev.offload.process.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Killing a child with everything it started, and reading its memory use (Linux /proc). */
final class ProcessTree {
  private ProcessTree() {}

  /**
   * Kills {@code root} and its descendants. The descendants are listed before the root dies,
   * because once it is gone they are re-parented and no longer found through it.
   */
  static void kill(ProcessHandle root) {
    List<ProcessHandle> descendants = root.descendants().toList();
    root.destroyForcibly();
    for (ProcessHandle d : descendants) {
      d.destroyForcibly();
    }
  }

  /** Resident set size of {@code pid} and its descendants in bytes, or -1 when unknown. */
  static long rssBytes(ProcessHandle root) {
    long own = rssOf(root.pid());
    if (own < 0) {
      return -1;
    }
    long total = own;
    for (ProcessHandle d : root.descendants().toList()) {
      total += Math.max(0, rssOf(d.pid()));
    }
    return total;
  }

  private static long rssOf(long pid) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
        if (line.startsWith("VmRSS:")) {
          String kb = line.substring(6).trim().split("\\s+")[0];
          return Long.parseLong(kb) * 1024;
        }
      }
      return -1;
    } catch (IOException | RuntimeException e) {
      return -1; // not Linux, or the process is gone: memory is simply unknown
    }
  }
}
