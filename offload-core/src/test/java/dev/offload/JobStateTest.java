package dev.offload;

import static dev.offload.JobState.CANCELLED;
import static dev.offload.JobState.FAILED;
import static dev.offload.JobState.QUEUED;
import static dev.offload.JobState.RUNNING;
import static dev.offload.JobState.SCHEDULED;
import static dev.offload.JobState.SUCCEEDED;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class JobStateTest {
  /** The table as the design states it; the enum must agree on every one of the 36 pairs. */
  private static final Map<JobState, Set<JobState>> EXPECTED =
      Map.of(
          SCHEDULED, EnumSet.of(QUEUED, RUNNING, CANCELLED),
          QUEUED, EnumSet.of(RUNNING, CANCELLED),
          RUNNING, EnumSet.of(SUCCEEDED, FAILED, CANCELLED, QUEUED, SCHEDULED),
          SUCCEEDED, EnumSet.noneOf(JobState.class),
          FAILED, EnumSet.of(QUEUED),
          CANCELLED, EnumSet.of(QUEUED));

  @Test
  void everyPairFollowsTheTable() {
    int checked = 0;
    for (JobState from : JobState.values()) {
      for (JobState to : JobState.values()) {
        assertThat(from.canTransitionTo(to))
            .as("%s -> %s", from, to)
            .isEqualTo(EXPECTED.get(from).contains(to));
        checked++;
      }
      assertThat(from.successors()).isEqualTo(EXPECTED.get(from));
    }
    assertThat(checked).isEqualTo(36);
  }

  @Test
  void terminalAndPendingStates() {
    assertThat(EnumSet.allOf(JobState.class).stream().filter(JobState::isTerminal))
        .containsExactlyInAnyOrder(SUCCEEDED, FAILED, CANCELLED);
    assertThat(EnumSet.allOf(JobState.class).stream().filter(JobState::isPending))
        .containsExactlyInAnyOrder(SCHEDULED, QUEUED);
  }

  @Test
  void wireNamesRoundTripAndUnknownNamesAreRejected() {
    for (JobState s : JobState.values()) {
      assertThat(JobState.fromWireName(s.wireName())).isEqualTo(s);
    }
    assertThatThrownBy(() -> JobState.fromWireName("done"))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("done");
  }

  @Test
  void jobTransitionsRefuseWhatTheTableForbids() {
    TestClock clock = new TestClock();
    Job job =
        Job.submitted(
            JobId.newId(clock.instant()),
            "t",
            "default",
            QUEUED,
            0,
            "{}",
            3,
            Backoff.DEFAULT,
            null,
            null,
            clock.instant(),
            clock.instant());
    Job claimed = job.claimed("w", clock.instant(), clock.instant().plusSeconds(10));
    assertThatThrownBy(() -> claimed.finished(SUCCEEDED, "{}", null, clock.instant()))
        .as("a claimed job that never started cannot succeed")
        .isInstanceOf(IllegalStateException.class);
    Job done = claimed.started(clock.instant()).finished(SUCCEEDED, "{}", null, clock.instant());
    assertThat(done.attempts()).isEqualTo(1);
    assertThatThrownBy(() -> done.requeued(clock.instant()))
        .isInstanceOf(IllegalStateException.class);
  }
}
