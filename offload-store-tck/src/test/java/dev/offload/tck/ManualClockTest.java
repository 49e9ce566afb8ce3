package dev.offload.tck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class ManualClockTest {
  @Test
  void standsStillUntilMoved() {
    ManualClock clock = ManualClock.create();

    assertThat(clock.instant()).isEqualTo(ManualClock.DEFAULT_START);
    assertThat(clock.instant()).isEqualTo(ManualClock.DEFAULT_START);
    assertThat(clock.millis()).isEqualTo(ManualClock.DEFAULT_START.toEpochMilli());
  }

  @Test
  void advancesAndSets() {
    ManualClock clock = ManualClock.startingAt(Instant.parse("2031-05-06T07:08:09Z"));

    assertThat(clock.advance(Duration.ofSeconds(2))).isEqualTo("2031-05-06T07:08:11Z");
    assertThat(clock.advanceMillis(5)).isEqualTo("2031-05-06T07:08:11.005Z");
    assertThat(clock.set(Instant.parse("2031-01-01T00:00:00Z"))).isEqualTo(clock.instant());
    assertThat(clock.instant()).isEqualTo("2031-01-01T00:00:00Z");
  }

  @Test
  void refusesToRunBackwardsByAdvance() {
    ManualClock clock = ManualClock.create();

    assertThatThrownBy(() -> clock.advance(Duration.ofMillis(-1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("negative");
    assertThat(clock.instant()).isEqualTo(ManualClock.DEFAULT_START);
  }
}
