package dev.offload.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.offload.Job;
import dev.offload.JobAttempt;
import dev.offload.JobId;
import dev.offload.JobState;
import dev.offload.JobStores;
import dev.offload.spi.JobStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Several worker JVMs drain one Redis: no job lost, none completed twice, and no zombie (a worker
 * whose lease lapsed) overwrites the newer attempt of another worker.
 */
@Tag("service")
class RedisClusterTest {
  private static final int JOBS = 10_000;
  private static final int WORKERS = 3;

  private final List<Process> workers = new ArrayList<>();
  private String prefix;

  @AfterEach
  void tearDown() {
    workers.forEach(Process::destroyForcibly);
    if (prefix != null) {
      RedisTestSupport.deleteKeys(prefix);
    }
  }

  @Test
  void workerProcessesDrainEveryJobExactlyOnce() throws Exception {
    RedisTestSupport.requireRedis();
    prefix = RedisTestSupport.uniquePrefix();
    String url = RedisTestSupport.url("prefix=" + prefix);
    Path dir = Files.createDirectories(Path.of("target", "cluster-" + prefix));
    Path stop = dir.resolve("stop");
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    for (int w = 0; w < WORKERS; w++) {
      Path out = dir.resolve("worker-" + w + ".log");
      workers.add(
          new ProcessBuilder(
                  java,
                  "-cp",
                  System.getProperty("java.class.path"),
                  "-XX:TieredStopAtLevel=1",
                  WorkerMain.class.getName(),
                  url,
                  "worker-" + w,
                  out.toString(),
                  stop.toString(),
                  "250",
                  "500")
              .redirectErrorStream(true)
              .redirectOutput(dir.resolve("worker-" + w + ".out").toFile())
              .start());
    }
    try (JobStore store = JobStores.open(url)) {
      Instant now = Instant.now();
      List<Job> jobs = new ArrayList<>(JOBS);
      for (int i = 0; i < JOBS; i++) {
        jobs.add(RedisTestSupport.job("q" + (i % 3), i % 5, now, now));
      }
      store.enqueueAll(jobs);
      await()
          .atMost(Duration.ofSeconds(90))
          .pollInterval(Duration.ofMillis(200))
          .until(() -> store.counts().total(JobState.SUCCEEDED) == JOBS);
      Files.createFile(stop);
      for (Process p : workers) {
        assertThat(p.waitFor(20, TimeUnit.SECONDS)).as("worker exits").isTrue();
      }

      Map<String, Long> totals = new HashMap<>();
      Map<String, String> appliedBy = new HashMap<>();
      List<String> twice = new ArrayList<>();
      for (int w = 0; w < WORKERS; w++) {
        for (String line : lines(dir.resolve("worker-" + w + ".log"))) {
          String[] p = line.split(" ");
          totals.merge(p[0], 1L, Long::sum);
          if (p[0].equals("applied") || p[0].equals("zombie-applied")) {
            if (appliedBy.put(p[1], "worker-" + w + ":" + p[2]) != null) {
              twice.add(p[1]);
            }
          }
        }
      }
      assertThat(twice).as("jobs completed twice").isEmpty();
      assertThat(totals.getOrDefault("zombie-applied", 0L)).as("stale completions").isZero();
      assertThat(totals.getOrDefault("zombie-rejected", 0L)).as("zombies tried").isPositive();
      assertThat(appliedBy).hasSize(JOBS);
      for (Job job : jobs) {
        Job done = store.get(job.id()).orElseThrow();
        String by = appliedBy.get(job.id().toString());
        assertThat(done.state()).isEqualTo(JobState.SUCCEEDED);
        assertThat(done.result()).isEqualTo("\"" + by + "\"");
        assertThat(by).endsWith(":" + done.leaseToken());
        assertThat(done.history()).last().extracting(JobAttempt::outcome).isEqualTo("succeeded");
        // Charged only for attempts that started: a zombie that never started costs nothing.
        assertThat(done.attempts()).isEqualTo(done.history().size());
      }
      assertThat(store.counts().totals())
          .containsEntry(JobState.SUCCEEDED, (long) JOBS)
          .containsEntry(JobState.QUEUED, 0L)
          .containsEntry(JobState.RUNNING, 0L);
      assertThat(unused(jobs)).isTrue();
    }
  }

  private static boolean unused(List<Job> jobs) {
    return jobs.stream().map(Job::id).map(JobId::toString).distinct().count() == JOBS;
  }

  private static List<String> lines(Path file) throws IOException {
    return Files.exists(file) ? Files.readAllLines(file) : List.of();
  }
}
