package dev.offload.redis;

import static dev.offload.redis.RedisTestSupport.job;
import static org.assertj.core.api.Assertions.assertThat;

import dev.offload.Job;
import dev.offload.JobState;
import dev.offload.JobStores;
import dev.offload.spi.ClaimRequest;
import dev.offload.spi.Completion;
import dev.offload.spi.Heartbeat;
import dev.offload.spi.JobStore;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Kills a Redis running with {@code appendonly yes, appendfsync always} (SIGKILL) while jobs are
 * queued, scheduled, running and finished, restarts it on the same data, and checks that every
 * acknowledged change survived and every job still completes, the running ones after their lease
 * expires.
 */
@Tag("service")
class RedisDurabilityTest {
  private static final Instant T0 = Instant.parse("2026-03-01T12:00:00Z");

  @Test
  void everyJobCompletesAfterRedisIsKilledAndRestarted() throws Exception {
    Path dir = Path.of("target", "redis-durability-" + UUID.randomUUID());
    try (PrivateRedis redis =
        PrivateRedis.start(dir, "--appendonly", "yes", "--appendfsync", "always")) {
      JobStore store = JobStores.open(redis.url() + "?prefix=dur");
      JobStore observer = JobStores.open(redis.url() + "?prefix=dur");
      List<Job> jobs = new ArrayList<>();
      for (int i = 0; i < 900; i++) {
        jobs.add(job("q", i % 3, T0, T0));
      }
      for (int i = 0; i < 100; i++) {
        jobs.add(job("q", 0, T0, T0.plusSeconds(10)));
      }
      store.enqueueAll(jobs);
      List<Job> running =
          store.claim(new ClaimRequest("w1", Set.of(), 200, T0, T0.plusSeconds(30))).jobs();
      List<Heartbeat> starts = new ArrayList<>();
      for (Job j : running) {
        starts.add(new Heartbeat(j.lease(), null, T0));
      }
      assertThat(store.heartbeat(starts, T0.plusSeconds(30), T0)).isEmpty();
      List<Completion> finished = new ArrayList<>();
      for (Job j : running.subList(0, 50)) {
        finished.add(Completion.succeeded(j.lease(), T0, "\"before crash\""));
      }
      assertThat(store.complete(finished, T0.plusSeconds(1))).containsOnly(true);

      redis.kill();
      redis.start();

      // Every acknowledged write is there: the first read also survives the dead pooled
      // connections (it is retried once on a fresh one).
      assertThat(store.counts().totals())
          .containsEntry(JobState.QUEUED, 700L)
          .containsEntry(JobState.SCHEDULED, 100L)
          .containsEntry(JobState.RUNNING, 150L)
          .containsEntry(JobState.SUCCEEDED, 50L);
      assertThat(store.get(running.get(0).id()).orElseThrow().result())
          .isEqualTo("\"before crash\"");
      assertThat(store.isHealthy()).isTrue();

      // Idle workers are woken again once the pub/sub connection is back.
      AtomicBoolean woke = new AtomicBoolean();
      // (The observer's first write after the restart fails on a dead pooled connection, which
      // drops the pool; writes are not retried, the next attempt goes through.)
      Awaitility.await()
          .atMost(Duration.ofSeconds(10))
          .ignoreExceptions()
          .until(() -> {
            long mark = observer.claim(new ClaimRequest("o", Set.of("none"), 1, T0, T0)).wakeMark();
            Thread t =
                Thread.ofPlatform()
                    .start(() -> {
                      try {
                        woke.set(observer.awaitWork(Set.of("wake"), mark, Duration.ofSeconds(2)));
                      } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                      }
                    });
            Awaitility.await()
                .until(() -> t.getState() == Thread.State.TIMED_WAITING || !t.isAlive());
            store.enqueue(job("wake", T0));
            t.join();
            return woke.get();
          });

      // The 150 jobs that were running come back when their leases are reaped.
      List<Job> reaped = store.reapExpiredLeases(T0.plusSeconds(31), 1000);
      assertThat(reaped).hasSize(150).allMatch(j -> j.state() == JobState.QUEUED);

      Instant later = T0.plusSeconds(40);
      Set<String> completed = new HashSet<>();
      while (true) {
        List<Job> batch =
            store
                .claim(new ClaimRequest("w2", Set.of("q"), 100, later, later.plusSeconds(30)))
                .jobs();
        if (batch.isEmpty()) {
          break;
        }
        List<Completion> done = new ArrayList<>();
        for (Job j : batch) {
          done.add(Completion.succeeded(j.lease(), later, "\"after\""));
          completed.add(j.id().toString());
        }
        assertThat(store.complete(done, later)).containsOnly(true);
      }
      assertThat(completed).hasSize(950);
      for (Job j : jobs) {
        assertThat(store.get(j.id()).orElseThrow().state()).isEqualTo(JobState.SUCCEEDED);
      }
      for (Job j : running.subList(50, 200)) {
        assertThat(store.get(j.id()).orElseThrow().attempts()).isEqualTo(2);
      }
      store.close();
      observer.close();
    }
  }
}
