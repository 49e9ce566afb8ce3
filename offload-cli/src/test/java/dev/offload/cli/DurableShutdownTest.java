package dev.offload.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.offload.Job;
import dev.offload.JobQuery;
import dev.offload.JobSpec;
import dev.offload.JobState;
import dev.offload.Offload;
import dev.offload.Page;
import dev.offload.cli.internal.Engines;
import dev.offload.demo.DemoTasks;
import dev.offload.server.OffloadServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Shutdown without loss: jobs submitted to a server on a SQLite file, the server shut down while
 * they run, a new server on the same file: every job completes. Skipped while no SQLite store is on
 * the class path (offload-store-sql not built yet).
 */
class DurableShutdownTest {
  @TempDir Path dir;

  @Test
  void jobsSurviveAGracefulShutdown() throws Exception {
    assumeTrue(
        Engines.hasScheme("sqlite", getClass().getClassLoader()),
        "no sqlite store provider on the class path yet");
    String url = "sqlite:" + dir.resolve("offload.db");
    int total = 40;
    Offload first =
        Offload.builder()
            .tasks(DemoTasks.registry())
            .storeUrl(url)
            .threads(1)
            .workerConcurrency(1)
            .shutdownGrace(Duration.ofMillis(200))
            .build();
    OffloadServer server = OffloadServer.builder(first).port(0).build().start();
    List<JobSpec> specs = new ArrayList<>();
    for (int i = 0; i < total; i++) {
      specs.add(JobSpec.of("spin", new DemoTasks.SpinInput(20)).queue("durable"));
    }
    first.submitAll(specs);
    TimeUnit.MILLISECONDS.sleep(100);
    server.shutdownGracefully();
    assertThat(Files.exists(dir.resolve("offload.db"))).isTrue();

    try (Offload second =
        Offload.builder().tasks(DemoTasks.registry()).storeUrl(url).threads(2).build()) {
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      List<Job> jobs;
      do {
        TimeUnit.MILLISECONDS.sleep(50);
        jobs = all(second);
      } while (jobs.stream().anyMatch(j -> !j.state().isTerminal())
          && System.nanoTime() < deadline);
      assertThat(jobs).hasSize(total);
      assertThat(jobs).allSatisfy(j -> assertThat(j.state()).isEqualTo(JobState.SUCCEEDED));
    }
  }

  private static List<Job> all(Offload offload) {
    List<Job> out = new ArrayList<>();
    JobQuery q = JobQuery.all().queue("durable").limit(1000);
    Page<Job> page = offload.jobs(q);
    out.addAll(page.items());
    return out;
  }
}
