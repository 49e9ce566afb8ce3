package dev.offload.transport.tck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;

import dev.offload.Backoff;
import dev.offload.spi.Delivery;
import dev.offload.spi.JobMessage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * Runs one of the any-language producer examples ({@code examples/producers/*.py}, docs/BROKERS.md)
 * with Debian's Python, the way a user would. A missing interpreter or Python package skips the
 * test, except under {@code CI=true}, where it fails ({@code .ci/run} installs them).
 */
public final class ForeignProducer {
  static final String PYTHON =
      System.getenv().getOrDefault("OFFLOAD_TEST_PYTHON", "/usr/bin/python3");

  private ForeignProducer() {}

  /** The example script {@code name}, found from the module directory the tests run in. */
  public static Path script(String name) {
    for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
      Path p = dir.resolve("examples/producers").resolve(name);
      if (Files.exists(p)) {
        return p;
      }
    }
    throw new IllegalStateException(
        "examples/producers/" + name + " not found above " + Path.of("").toAbsolutePath());
  }

  /** Skips (or under CI fails) unless Debian's Python can import {@code module}. */
  public static void assumePythonModule(String module) throws IOException, InterruptedException {
    String why = null;
    if (!Files.isExecutable(Path.of(PYTHON))) {
      why = PYTHON + " not found";
    } else {
      Process p =
          new ProcessBuilder(PYTHON, "-c", "import " + module).redirectErrorStream(true).start();
      if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
        why = "Python module '" + module + "' missing (Debian package python3-" + module + ")";
      }
    }
    if (why != null) {
      if ("true".equalsIgnoreCase(System.getenv("CI"))) {
        fail(
            why
                + " (CI=true: .ci/run installs it; tests that need it fail instead of being skipped)");
      }
      Assumptions.abort(why);
    }
  }

  /**
   * Runs the script with {@code args}; returns what it printed, failing with it on a non-zero exit.
   */
  public static String run(String script, String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of(PYTHON, script(script).toString()));
    command.addAll(List.of(args));
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError(script + " did not finish within 60 s");
    }
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (p.exitValue() != 0) {
      throw new AssertionError(script + " failed (" + p.exitValue() + "): " + out);
    }
    return out;
  }

  /**
   * The job every example test publishes: every optional field set, as a foreign producer writes
   * it.
   */
  public static final String JOB_JSON =
      "{\"task\": \"spin\", \"input\": {\"ms\": 20, \"note\": \"caf\u00e9\"}, \"priority\": 2,"
          + " \"maxAttempts\": 4, \"backoff\": {\"initial\": \"PT1S\", \"max\": \"PT1M\"},"
          + " \"timeout\": \"30s\", \"idempotencyKey\": \"order-42\", \"delay\": 5}";

  /** Checks that a delivery of {@link #JOB_JSON} decoded to the job spec it describes. */
  public static void assertDecodedJob(Delivery d, String queue) {
    JobMessage m = d.message();
    assertThat(m.id()).isEqualTo(d.jobId());
    assertThat(m.task()).isEqualTo("spin");
    assertThat(m.queue()).isEqualTo(queue);
    assertThat(m.input()).isEqualTo("{\"ms\": 20, \"note\": \"caf\u00e9\"}");
    assertThat(m.priority()).isEqualTo(2);
    assertThat(m.maxAttempts()).isEqualTo(4);
    assertThat(m.backoff()).isEqualTo(Backoff.of(Duration.ofSeconds(1), Duration.ofMinutes(1)));
    assertThat(m.timeout()).isEqualTo(Duration.ofSeconds(30));
    assertThat(m.idempotencyKey()).isEqualTo("order-42");
    assertThat(m.runAt()).isEqualTo(d.publishedAt().plusSeconds(5));
    assertThat(d.deliveryCount()).isEqualTo(1);
  }
}
