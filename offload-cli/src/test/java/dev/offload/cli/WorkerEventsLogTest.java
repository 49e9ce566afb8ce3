package dev.offload.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.offload.Job;
import dev.offload.JobSpec;
import dev.offload.JobState;
import dev.offload.Offload;
import dev.offload.demo.DemoTasks;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code offload worker --events-log FILE --lease D}: one line per task-code start and end. */
class WorkerEventsLogTest {

  @Test
  void logsEachStartAndEndWithItsOutcome(@TempDir Path dir) throws Exception {
    String store = "sqlite:" + dir.resolve("jobs.db");
    Path log = dir.resolve("logs/events.jsonl");
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    AtomicReference<Thread> thread = new AtomicReference<>();
    CompletableFuture<Integer> code =
        CompletableFuture.supplyAsync(() -> {
          thread.set(Thread.currentThread());
          return OffloadCli.run(
              new PrintWriter(out, true),
              new PrintWriter(err, true),
              "worker",
              "--store",
              store,
              "--lease",
              "1500ms",
              "--events-log",
              log.toString());
        });
    try (Offload client =
        Offload.builder().storeUrl(store).tasks(DemoTasks.registry()).workers(false).build()) {
      Job ok = client.submit(JobSpec.of("spin", Map.of("ms", 2)));
      Job bad = client.submit(JobSpec.of("flaky", Map.of("failures", 5)).maxAttempts(1));
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() ->
              client.job(ok.id()).state().isTerminal()
                  && client.job(bad.id()).state().isTerminal());
      assertThat(client.job(ok.id()).state()).isEqualTo(JobState.SUCCEEDED);
      assertThat(client.job(bad.id()).state()).isEqualTo(JobState.FAILED);

      List<JsonNode> lines = new ArrayList<>();
      for (String line : Files.readAllLines(log)) {
        lines.add(CliTest.JSON.readTree(line));
      }
      assertThat(lines).hasSize(4);
      assertThat(lines)
          .allSatisfy(n -> {
            assertThat(n.get("pid").asLong()).isEqualTo(ProcessHandle.current().pid());
            assertThat(n.get("worker").asText()).startsWith("worker-");
            assertThat(n.get("attempt").asInt()).isEqualTo(1);
            assertThat(n.get("time").asText()).isNotBlank();
          });
      assertThat(events(lines, ok.id().toString())).containsExactly("start", "end:succeeded");
      assertThat(events(lines, bad.id().toString())).containsExactly("start", "end:failed");
    } finally {
      await().atMost(Duration.ofSeconds(10)).until(() -> thread.get() != null);
      thread.get().interrupt();
    }
    assertThat(code.get()).as(err.toString()).isZero();
  }

  @Test
  void aLeaseMustBeAPositiveDuration() {
    for (String lease : List.of("0s", "soon")) {
      StringWriter err = new StringWriter();
      int code =
          OffloadCli.run(
              new PrintWriter(new StringWriter()),
              new PrintWriter(err, true),
              "worker",
              "--store",
              "memory:",
              "--lease",
              lease);
      assertThat(code).as(err.toString()).isEqualTo(ExitCodes.USAGE);
      assertThat(err.toString()).contains("--lease");
    }
  }

  private static List<String> events(List<JsonNode> lines, String job) {
    return lines.stream()
        .filter(n -> n.get("job").asText().equals(job))
        .map(n ->
            n.get("event").asText()
                + (n.hasNonNull("outcome") ? ":" + n.get("outcome").asText() : ""))
        .toList();
  }
}
