package dev.offload.dashboard.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.offload.JobEvent;
import dev.offload.JobId;
import dev.offload.JobState;
import dev.offload.Progress;
import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class DashboardEventsTest {
  private static final Instant T0 = Instant.parse("2026-01-01T10:00:00Z");
  private final SeriesBuffer series = new SeriesBuffer(() -> T0, 60);
  private final JobHistory history = new JobHistory(3);
  private final DashboardEvents events = new DashboardEvents(history, series);
  private final JobId id =
      JobId.parse(new UUID(0x01a215abcbc57000L, 0x8575000000000001L).toString());

  private void event(JobState state, int attempt, long atMillis) {
    events.accept(
        new JobEvent(id, "spin", "default", state, attempt, null, T0.plusMillis(atMillis)));
  }

  @Test
  void waitsAndRunTimesComeFromPairsOfEvents() {
    event(JobState.QUEUED, 0, 0);
    event(JobState.RUNNING, 1, 30);
    event(JobState.SCHEDULED, 1, 130);
    event(JobState.RUNNING, 2, 400);
    events.accept(
        new JobEvent(
            id,
            "spin",
            "default",
            JobState.RUNNING,
            2,
            new Progress(0.5, "half"),
            T0.plusMillis(450)));
    event(JobState.SUCCEEDED, 2, 650);

    SeriesBuffer.Minute m = series.minutes().get(59);
    assertThat(m.submitted()).isEqualTo(1);
    assertThat(m.started()).isEqualTo(2);
    assertThat(m.retried()).isEqualTo(1);
    assertThat(m.succeeded()).isEqualTo(1);
    // Queued 30 ms; the retry waited for its backoff as "scheduled", which is not a queue wait.
    assertThat(m.queueWait().count()).isEqualTo(1);
    assertThat(m.queueWait().maxMs()).isEqualTo(30);
    // Attempt 1 ran 100 ms, attempt 2 250 ms (the progress report is not a state change).
    assertThat(m.run().count()).isEqualTo(2);
    assertThat(m.run().maxMs()).isEqualTo(250);
    assertThat(history.of(id))
        .extracting(JobHistory.Transition::state)
        .containsExactly(
            JobState.QUEUED,
            JobState.RUNNING,
            JobState.SCHEDULED,
            JobState.RUNNING,
            JobState.SUCCEEDED);
  }

  @Test
  void historyForgetsTheOldestJobs() {
    for (int i = 0; i < 4; i++) {
      JobId other = JobId.parse(new UUID(0x01a215abcbc57000L, 0x8575000000000010L + i).toString());
      events.accept(new JobEvent(other, "spin", "default", JobState.QUEUED, 0, null, T0));
      if (i == 0) {
        assertThat(history.of(other)).hasSize(1);
      }
    }
    JobId first = JobId.parse(new UUID(0x01a215abcbc57000L, 0x8575000000000010L).toString());
    assertThat(history.of(first)).isEmpty();
  }
}
