package dev.offload.chaos;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The CI-sized chaos run (docs/CHAOS.md): 5,000 jobs through 3 real {@code offload worker}
 * processes while workers are killed, paused and the store server restarted; asserts the targets of
 * issue 11: none lost, none completed twice, none charged an attempt it never ran. One subclass per
 * durable store. Out of the normal suite for now (docs/CHAOS.md): {@code mvn -B -ntp verify -pl
 * offload-chaos -am -Dgroups=chaos -Dchaos.excludedGroups=}.
 */
@Tag("chaos")
abstract class ChaosCheck {
  /** {@code sqlite}, {@code postgresql} or {@code redis}. */
  abstract String store();

  @Test
  @Timeout(value = 10, unit = TimeUnit.MINUTES)
  void noJobLostOrCompletedTwiceOrChargedUnrun() throws Exception {
    Path repo = Path.of("").toAbsolutePath().getParent();
    Path dir = Path.of("target/chaos-ci", store()).toAbsolutePath();
    if (Files.exists(dir)) {
      try (Stream<Path> old = Files.walk(dir)) {
        old.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
    ChaosSettings settings =
        ChaosSettings.defaults(store(), repo, dir)
            .withJobs(5_000)
            .withLimits(Duration.ofMinutes(3), Duration.ofMinutes(2));
    Report report;
    try {
      report = new ChaosRun(settings).run();
    } catch (MissingToolException e) {
      if (Processes.ci()) {
        fail("CI=true and a tool is missing: " + e.getMessage());
      }
      Assumptions.abort(e.getMessage());
      return;
    }
    String summary = report.summary() + "\nexamples: " + report.figures().examples();
    System.out.println(summary);
    assertThat(report.kills()).as("workers killed during the run").isPositive();
    assertThat(report.figures().lost()).as("jobs lost\n" + summary).isZero();
    assertThat(report.figures().completedTwice()).as("jobs completed twice\n" + summary).isZero();
    assertThat(report.figures().chargedNeverRan())
        .as("jobs charged an attempt they never ran\n" + summary)
        .isZero();
  }
}
