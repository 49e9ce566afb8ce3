package dev.offload.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.offload.Job;
import dev.offload.JobSpec;
import dev.offload.JobState;
import dev.offload.JobStores;
import dev.offload.Offload;
import dev.offload.demo.DemoTasks;
import dev.offload.spi.ClaimRequest;
import dev.offload.spi.Heartbeat;
import dev.offload.spi.JobStore;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** OffloadMetrics on its own, with a plain registry: lease expiries, cached counts, closing. */
class OffloadMetricsTest {
  private final AtomicReference<Instant> now =
      new AtomicReference<>(Instant.parse("2026-01-01T00:00:00Z"));
  private final InstantSource clock = now::get;
  private final JobStore store = JobStores.inMemory();
  private final Offload offload =
      Offload.builder()
          .tasks(DemoTasks.registry())
          .store(store)
          .clock(clock)
          .workers(false)
          .leaseDuration(Duration.ofMillis(200))
          .pollInterval(Duration.ofMillis(50))
          .build();
  private final MeterRegistry registry = new SimpleMeterRegistry();

  @AfterEach
  void close() {
    offload.close();
    store.close();
  }

  @Test
  void lostLeasesAreCountedWhetherTheJobFailsOrIsQueuedAgain() {
    try (OffloadMetrics metrics = OffloadMetrics.of(offload)) {
      metrics.bindTo(registry);
      Job lastTry = offload.submit(JobSpec.of("spin", Map.of("ms", 0)).maxAttempts(1));
      Job again = offload.submit(JobSpec.of("spin", Map.of("ms", 0)).maxAttempts(3));
      // A worker in another process claims both, starts them, and dies without a word.
      Instant t = now.get();
      for (Job held :
          store.claim(new ClaimRequest("dead-worker", Set.of(), 2, t, t.plusSeconds(1))).jobs()) {
        store.heartbeat(List.of(new Heartbeat(held.lease(), null, t)), t.plusSeconds(1), t);
      }
      now.updateAndGet(x -> x.plusSeconds(2));

      await()
          .atMost(Duration.ofSeconds(5))
          .until(() -> counter("offload.jobs.lease.expired", "spin") == 2);
      assertThat(offload.job(lastTry.id()).state()).isEqualTo(JobState.FAILED);
      assertThat(offload.job(again.id()).state()).isEqualTo(JobState.QUEUED);
      assertThat(counter("offload.jobs.submitted", "spin")).isEqualTo(2);
      assertThat(counter("offload.jobs.failed", "spin")).isEqualTo(1);
      // Taken back into the queue at once: not a retry with backoff.
      assertThat(counter("offload.jobs.retries", "spin")).isZero();
    }
  }

  @Test
  void aClaimThatLapsedBeforeItsJobStartedIsNotALostLease() {
    try (OffloadMetrics metrics = OffloadMetrics.of(offload)) {
      metrics.bindTo(registry);
      Job job = offload.submit(JobSpec.of("spin", Map.of("ms", 0)).maxAttempts(1));
      Instant t = now.get();
      store.claim(new ClaimRequest("dead-worker", Set.of(), 1, t, t.plusSeconds(1)));
      now.updateAndGet(x -> x.plusSeconds(2));

      await()
          .during(Duration.ofMillis(600))
          .atMost(Duration.ofSeconds(5))
          .until(() -> counter("offload.jobs.lease.expired", "spin") == 0);
      assertThat(offload.job(job.id()).state()).isEqualTo(JobState.QUEUED);
      assertThat(offload.job(job.id()).attempts()).as("nothing charged").isZero();
    }
  }

  @Test
  void finishedJobsDroppedByAStoreCapAreCounted() {
    JobStore memory = JobStores.inMemory();
    JobStore capped =
        (JobStore)
            java.lang.reflect.Proxy.newProxyInstance(
                JobStore.class.getClassLoader(),
                new Class<?>[] {JobStore.class},
                (proxy, method, args) -> {
                  if (method.getName().equals("finishedDropped")) {
                    return 7L;
                  }
                  try {
                    return method.invoke(memory, args);
                  } catch (java.lang.reflect.InvocationTargetException e) {
                    throw e.getCause();
                  }
                });
    try (Offload withCap = Offload.builder().store(capped).workers(false).build();
        OffloadMetrics metrics = OffloadMetrics.of(withCap)) {
      metrics.bindTo(registry);
      assertThat(registry.get("offload.store.finished.dropped").functionCounter().count())
          .isEqualTo(7);
    }
  }

  @Test
  void queueDepthsAreReadOncePerTtl() {
    AtomicLong nanos = new AtomicLong();
    try (OffloadMetrics metrics = OffloadMetrics.of(offload, Duration.ofSeconds(1), nanos::get)) {
      metrics.bindTo(registry);
      offload.submit(JobSpec.of("spin", Map.of("ms", 0)).queue("q"));
      metrics.refresh();
      nanos.addAndGet(Duration.ofSeconds(1).toNanos());
      assertThat(depth("q", "queued")).isEqualTo(1);

      offload.submit(JobSpec.of("spin", Map.of("ms", 0)).queue("q"));
      nanos.addAndGet(Duration.ofMillis(999).toNanos());
      assertThat(depth("q", "queued")).as("still the cached snapshot").isEqualTo(1);
      nanos.addAndGet(Duration.ofMillis(1).toNanos());
      assertThat(depth("q", "queued")).isEqualTo(2);
      assertThat(depth("q", "running")).isZero();
    }
  }

  @Test
  void afterCloseEventsAreNoLongerCounted() {
    OffloadMetrics metrics = OffloadMetrics.of(offload);
    metrics.bindTo(registry);
    offload.submit(JobSpec.of("spin", Map.of("ms", 0)));
    metrics.close();
    offload.submit(JobSpec.of("spin", Map.of("ms", 0)));
    assertThat(counter("offload.jobs.submitted", "spin")).isEqualTo(1);
  }

  @Test
  void bindsOnce() {
    try (OffloadMetrics metrics = OffloadMetrics.of(offload)) {
      metrics.bindTo(registry);
      assertThatThrownBy(() -> metrics.bindTo(new SimpleMeterRegistry()))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("already bound");
    }
  }

  private double counter(String name, String task) {
    var c = registry.find(name).tags("task", task, "queue", "default").counter();
    return c == null ? 0 : c.count();
  }

  private double depth(String queue, String state) {
    return registry.get("offload.queue.depth").tags("queue", queue, "state", state).gauge().value();
  }
}
