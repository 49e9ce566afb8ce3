package dev.offload.internal.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.offload.Backoff;
import dev.offload.Job;
import dev.offload.JobId;
import dev.offload.JobState;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** In-memory specifics the shared contract suite (offload-store-tck) does not pin down. */
class InMemoryJobStoreTest {
  private static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");

  private static Job job(JobId id, String key) {
    return Job.submitted(
        id, "t", "default", JobState.QUEUED, 0, "{}", 3, Backoff.DEFAULT, null, key, NOW, NOW);
  }

  @Test
  void aRefusedEnqueueDoesNotClaimItsIdempotencyKey() {
    try (InMemoryJobStore store = new InMemoryJobStore()) {
      JobId id = JobId.newId(NOW);
      store.enqueue(job(id, null));
      assertThatThrownBy(() -> store.enqueue(job(id, "k")))
          .isInstanceOf(IllegalArgumentException.class);
      Job other = job(JobId.newId(NOW), "k");
      assertThat(store.enqueue(other).created()).isTrue();
      assertThat(store.enqueue(job(JobId.newId(NOW), "k")).job().id()).isEqualTo(other.id());
    }
  }
}
