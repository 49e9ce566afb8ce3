package dev.offload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class JobIdTest {
  @Test
  void idsMadeInOneMillisecondStillSortInCreationOrder() {
    Instant now = Instant.parse("2026-03-01T12:00:00Z");
    List<JobId> ids = new ArrayList<>();
    for (int i = 0; i < 10_000; i++) {
      ids.add(JobId.newId(now));
    }
    assertThat(ids).isSorted().doesNotHaveDuplicates();
    assertThat(ids.get(0).value().version()).isEqualTo(7);
    assertThat(ids.get(0).value().variant()).isEqualTo(2);
    assertThat(ids.get(0).timestamp()).isBetween(now, now.plusSeconds(1));
  }

  @Test
  void parsesItsOwnTextAndRejectsGarbage() {
    JobId id = JobId.newId(Instant.now());
    assertThat(JobId.parse(id.toString())).isEqualTo(id);
    assertThatThrownBy(() -> JobId.parse("not-an-id"))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("not-an-id");
  }
}
