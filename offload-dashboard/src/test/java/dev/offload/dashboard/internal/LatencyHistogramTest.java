package dev.offload.dashboard.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class LatencyHistogramTest {

  @ParameterizedTest
  @ValueSource(doubles = {0.05, 0.1, 0.3, 1, 7, 42, 999, 12_345, 600_000})
  void everyValueFallsInABucketWhoseBoundsHoldIt(double ms) {
    int i = LatencyHistogram.index(ms);
    assertThat(ms).isLessThanOrEqualTo(LatencyHistogram.upperMs(i) * 1.000001);
    if (i > 0) {
      assertThat(ms).isGreaterThan(LatencyHistogram.upperMs(i - 1));
    }
  }

  @Test
  void aSingleSampleIsItsOwnPercentileWithinTheBucketWidth() {
    LatencyHistogram h = new LatencyHistogram();
    h.record(Duration.ofMillis(250));
    assertThat(h.percentileMs(0.5)).isBetween(250 / 1.19, 250.0);
    assertThat(h.percentileMs(0.99)).isEqualTo(h.percentileMs(0.5));
    assertThat(h.maxMs()).isEqualTo(250);
  }

  @Test
  void hoursLongSamplesAreCappedAtTheLastBucketButKeepTheirMax() {
    LatencyHistogram h = new LatencyHistogram();
    h.record(Duration.ofHours(3));
    assertThat(h.count()).isEqualTo(1);
    assertThat(h.maxMs()).isEqualTo(Duration.ofHours(3).toMillis());
    assertThat(h.percentileMs(0.5)).isPositive();
  }

  @Test
  void emptyHistogramReadsZero() {
    LatencyHistogram h = new LatencyHistogram();
    assertThat(h.percentileMs(0.95)).isZero();
    assertThat(h.meanMs()).isZero();
  }
}
