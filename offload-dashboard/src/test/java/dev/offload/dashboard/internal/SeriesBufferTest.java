package dev.offload.dashboard.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.offload.JobState;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class SeriesBufferTest {
  private final AtomicReference<Instant> now =
      new AtomicReference<>(Instant.parse("2026-01-01T10:00:30Z"));
  private final InstantSource clock = now::get;
  private final SeriesBuffer series = new SeriesBuffer(clock, 60);

  private void advance(Duration d) {
    now.updateAndGet(t -> t.plus(d));
  }

  @Test
  void countsLandInTheMinuteTheyHappen() {
    series.submitted();
    series.submitted();
    series.started(Duration.ofMillis(5));
    series.finished("default", JobState.SUCCEEDED, Duration.ofMillis(40));
    advance(Duration.ofMinutes(1));
    series.finished("reports", JobState.FAILED, Duration.ofMillis(10));
    series.finished("reports", JobState.CANCELLED, Duration.ofSeconds(3));
    series.retried(Duration.ofMillis(7));

    List<SeriesBuffer.Minute> minutes = series.minutes();
    assertThat(minutes).hasSize(60);
    SeriesBuffer.Minute last = minutes.get(59);
    SeriesBuffer.Minute before = minutes.get(58);
    assertThat(last.start()).isEqualTo(Instant.parse("2026-01-01T10:01:00Z"));
    assertThat(before.start()).isEqualTo(Instant.parse("2026-01-01T10:00:00Z"));
    assertThat(minutes.get(0).start()).isEqualTo(Instant.parse("2026-01-01T09:02:00Z"));

    assertThat(before.submitted()).isEqualTo(2);
    assertThat(before.started()).isEqualTo(1);
    assertThat(before.succeeded()).isEqualTo(1);
    assertThat(before.queueWait().count()).isEqualTo(1);
    assertThat(before.run().count()).isEqualTo(1);
    assertThat(before.queues()).containsOnlyKeys("default");
    assertThat(before.queues().get("default")).isEqualTo(new SeriesBuffer.QueueCounts(1, 0, 0));

    assertThat(last.failed()).isEqualTo(1);
    assertThat(last.cancelled()).isEqualTo(1);
    assertThat(last.retried()).isEqualTo(1);
    // A cancelled attempt was stopped, not finished: its time is not a run time.
    assertThat(last.run().count()).isEqualTo(2);
    assertThat(last.run().maxMs()).isEqualTo(10);
    assertThat(last.queues().get("reports")).isEqualTo(new SeriesBuffer.QueueCounts(0, 1, 1));
  }

  @Test
  void oldMinutesAreClearedWhenTheRingComesRound() {
    series.submitted();
    advance(Duration.ofMinutes(59));
    assertThat(series.minutes().get(0).submitted()).isEqualTo(1);
    advance(Duration.ofMinutes(1));
    assertThat(series.minutes()).allMatch(m -> m.submitted() == 0);
    // Reusing the slot of the forgotten minute starts from zero.
    series.submitted();
    assertThat(series.minutes().get(59).submitted()).isEqualTo(1);
    assertThat(series.minutes().stream().mapToLong(SeriesBuffer.Minute::submitted).sum())
        .isEqualTo(1);
  }

  @Test
  void anIdleHourIsSixtyEmptyMinutesEndingNow() {
    advance(Duration.ofHours(5));
    List<SeriesBuffer.Minute> minutes = series.minutes();
    assertThat(minutes).hasSize(60);
    assertThat(minutes.get(59).start()).isEqualTo(Instant.parse("2026-01-01T15:00:00Z"));
    assertThat(minutes).allMatch(m -> m.run().count() == 0 && m.queues().isEmpty());
  }

  @Test
  void latencySummaryEstimatesPercentiles() {
    for (int i = 1; i <= 100; i++) {
      series.finished("default", JobState.SUCCEEDED, Duration.ofMillis(i));
    }
    SeriesBuffer.Latency run = series.minutes().get(59).run();
    assertThat(run.count()).isEqualTo(100);
    assertThat(run.meanMs()).isCloseTo(50.5, within(0.01));
    assertThat(run.maxMs()).isEqualTo(100);
    // Buckets are ~19% wide, so the estimates are within ~10% of the true 50 and 95.
    assertThat(run.p50Ms()).isCloseTo(50, within(5.5));
    assertThat(run.p95Ms()).isCloseTo(95, within(9.5));
  }

  @Test
  void queuesBeyondTheLimitAreSummedAsOther() {
    for (int i = 0; i < SeriesBuffer.MAX_QUEUES + 5; i++) {
      series.finished("q" + i, JobState.SUCCEEDED, null);
    }
    var queues = series.minutes().get(59).queues();
    assertThat(queues).hasSize(SeriesBuffer.MAX_QUEUES + 1);
    assertThat(queues.get(SeriesBuffer.OTHER_QUEUES).succeeded()).isEqualTo(5);
    assertThat(series.minutes().get(59).succeeded()).isEqualTo(SeriesBuffer.MAX_QUEUES + 5);
  }

  @Test
  void rejectsNonTerminalFinishesAndEmptyWindows() {
    assertThatThrownBy(() -> series.finished("q", JobState.RUNNING, null))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new SeriesBuffer(clock, 0))
        .hasMessageContaining("minutes must be >= 1");
  }
}
