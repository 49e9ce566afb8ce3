package dev.offload.cli;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * Python interpreters for tests: {@code python3}, or one that imports given modules (Debian's
 * {@code python3-fastapi} lands in /usr/bin/python3, not in a pyenv python first on PATH). Missing:
 * the test is skipped, except under {@code CI=true}, where it fails saying what to install.
 */
final class PythonEnv {
  static final Path REPO = Path.of("..").toAbsolutePath().normalize();
  static final Path PACKAGE_SRC = REPO.resolve("clients/python/src");

  private PythonEnv() {}

  /** An interpreter that can import every one of {@code modules} (none: any python3). */
  static String python(String... modules) {
    Set<String> candidates = new LinkedHashSet<>();
    String chosen = System.getenv("OFFLOAD_TEST_PYTHON");
    if (chosen != null && !chosen.isBlank()) {
      candidates.add(chosen);
    }
    if (modules.length == 0) {
      candidates.add("python3");
    }
    candidates.add("/usr/bin/python3");
    candidates.add("python3");
    String probe = "import " + (modules.length == 0 ? "sys" : String.join(", ", modules));
    for (String python : candidates) {
      if (runs(python, probe)) {
        return python;
      }
    }
    String why =
        modules.length == 0
            ? "no python3 on PATH (Debian: apt-get install python3 python3-venv)"
            : "no Python that imports "
                + String.join(", ", modules)
                + " among "
                + candidates
                + " (Debian: apt-get install "
                + debianPackages(modules)
                + "; or set OFFLOAD_TEST_PYTHON)";
    if ("true".equalsIgnoreCase(System.getenv("CI"))) {
      fail(why + " (CI=true: tests that need it fail instead of being skipped)");
    }
    Assumptions.abort(why);
    throw new AssertionError("unreachable");
  }

  private static String debianPackages(String... modules) {
    List<String> names = new ArrayList<>();
    for (String m : modules) {
      names.add("python3-" + m);
    }
    return String.join(" ", names);
  }

  private static boolean runs(String python, String code) {
    try {
      Process p =
          new ProcessBuilder(python, "-c", code)
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.DISCARD)
              .start();
      return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /**
   * Runs a long-lived CLI command ({@code serve}, {@code worker}) in-process on a thread of its own
   * until its output matches {@code ready}; fails with its stderr if it ends or stalls first.
   */
  static CliTest.Serving launch(String ready, String... args) {
    java.io.StringWriter out = new java.io.StringWriter();
    java.io.StringWriter err = new java.io.StringWriter();
    java.util.concurrent.CompletableFuture<Integer> code =
        new java.util.concurrent.CompletableFuture<>();
    Thread thread =
        Thread.ofPlatform()
            .name("cli-" + args[0])
            .start(() -> {
              try {
                code.complete(
                    OffloadCli.run(
                        new java.io.PrintWriter(out, true),
                        new java.io.PrintWriter(err, true),
                        args));
              } catch (Throwable t) {
                code.completeExceptionally(t);
              }
            });
    java.util.regex.Pattern pattern = java.util.regex.Pattern.compile(ready);
    long deadline = System.nanoTime() + java.time.Duration.ofSeconds(60).toNanos();
    while (!pattern.matcher(out.toString()).find()) {
      if (code.isDone() || System.nanoTime() > deadline) {
        thread.interrupt();
        fail(String.join(" ", args) + " did not start; stdout: " + out + "\nstderr: " + err);
      }
      try {
        Thread.sleep(20); // polling a StringWriter: there is no event to wait on
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }
    java.util.regex.Matcher m = pattern.matcher(out.toString());
    m.find();
    return new CliTest.Serving(m.group(1), out, thread, code);
  }

  /** Output and exit code of a finished Python command. */
  record Run(int code, String output) {
    String tail() {
      return output.length() <= 20_000 ? output : "…" + output.substring(output.length() - 20_000);
    }
  }

  /**
   * Runs {@code python args...} in {@code dir} with the package on {@code PYTHONPATH} plus {@code
   * env}, output (stdout and stderr) captured in a file so a long test log cannot block it.
   */
  static Run run(Path dir, Map<String, String> env, long timeoutSeconds, String... command)
      throws IOException, InterruptedException {
    Path log = Files.createTempFile("offload-python-run", ".log");
    ProcessBuilder pb =
        new ProcessBuilder(command)
            .directory(dir.toFile())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
    pb.environment().put("PYTHONPATH", PACKAGE_SRC.toString());
    pb.environment().put("PYTHONDONTWRITEBYTECODE", "1");
    pb.environment().putAll(env);
    Process p = pb.start();
    if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
      p.descendants().forEach(ProcessHandle::destroyForcibly);
      p.destroyForcibly();
      p.waitFor();
      String out = Files.readString(log, StandardCharsets.UTF_8);
      fail(String.join(" ", command) + " ran over " + timeoutSeconds + " s; output:\n" + out);
    }
    String out = Files.readString(log, StandardCharsets.UTF_8);
    Files.deleteIfExists(log);
    return new Run(p.exitValue(), out);
  }
}
