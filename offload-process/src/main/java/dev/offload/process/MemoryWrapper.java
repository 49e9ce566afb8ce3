package dev.offload.process;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Puts an address-space limit ({@code RLIMIT_AS}) on a command: prlimit, or sh's ulimit -v. */
final class MemoryWrapper {
  private MemoryWrapper() {}

  static List<String> wrap(List<String> command, long maxBytes) {
    if (maxBytes <= 0) {
      return command;
    }
    List<String> c = new ArrayList<>();
    if (onPath("prlimit")) {
      // prlimit sets the limit on itself, then execs the command: same pid, nothing in between.
      c.add("prlimit");
      c.add("--as=" + maxBytes);
      c.add("--");
    } else {
      c.add("/bin/sh");
      c.add("-c");
      c.add("ulimit -v " + (maxBytes / 1024) + " && exec \"$@\"");
      c.add("offload-child");
    }
    c.addAll(command);
    return c;
  }

  private static boolean onPath(String executable) {
    String path = System.getenv("PATH");
    if (path == null) {
      return false;
    }
    for (String dir : path.split(File.pathSeparator)) {
      if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, executable))) {
        return true;
      }
    }
    return false;
  }
}
