package dev.offload.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.offload.Job;
import dev.offload.JobId;
import dev.offload.JobQuery;
import dev.offload.JobSpec;
import dev.offload.JobState;
import dev.offload.Offload;
import dev.offload.Page;
import dev.offload.client.OffloadClient;
import dev.offload.client.OffloadHttpException;
import dev.offload.client.ServerUnreachableException;
import dev.offload.demo.DemoTasks;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The Java client against a real server: every operation, errors, and the event stream. */
class OffloadClientTest {
  static Offload offload;
  static OffloadServer server;
  static OffloadClient client;

  @BeforeAll
  static void start() {
    offload = Offload.builder().tasks(TestTasks.registry()).threads(2).build();
    server =
        OffloadServer.builder(offload)
            .port(0)
            .eventKeepAlive(Duration.ofMillis(200))
            .build()
            .start();
    client = OffloadClient.create(server.url());
  }

  @AfterAll
  static void stop() {
    client.close();
    server.stop();
    offload.close();
  }

  @Test
  void runAndMap() {
    assertThat(client.run("spin", new DemoTasks.SpinInput(2)).get("iterations").asLong())
        .isPositive();
    List<JsonNode> counts = client.map("primes", List.of(Map.of("n", 10), Map.of("n", 30)));
    assertThat(counts).extracting(n -> n.get("count").asInt()).containsExactly(4, 10);
    assertThatThrownBy(() -> client.run("sleep", Map.of("ms", 5000), Duration.ofMillis(100)))
        .isInstanceOfSatisfying(
            OffloadHttpException.class,
            e -> {
              assertThat(e.status()).isEqualTo(504);
              assertThat(e.is("timeout")).isTrue();
            });
  }

  @Test
  void jobsLifeCycle() {
    Job job = client.submit(JobSpec.of("spin", Map.of("ms", 3)).queue("client").maxAttempts(2));
    assertThat(job.queue()).isEqualTo("client");
    assertThat(job.maxAttempts()).isEqualTo(2);
    Job done = client.await(job.id(), Duration.ofSeconds(10));
    assertThat(done.state()).isEqualTo(JobState.SUCCEEDED);
    assertThat(done.result()).contains("iterations");
    assertThat(client.job(job.id()).state()).isEqualTo(JobState.SUCCEEDED);

    Page<Job> page =
        client.jobs(JobQuery.all().queue("client").states(Set.of(JobState.SUCCEEDED)).limit(10));
    assertThat(page.items()).extracting(Job::id).contains(job.id());

    Job slow = client.submit(JobSpec.of("sleep", Map.of("ms", 60_000)).delay(Duration.ofHours(1)));
    assertThat(slow.state()).isEqualTo(JobState.SCHEDULED);
    assertThat(client.result(slow.id(), Duration.ofMillis(100)).state())
        .isEqualTo(JobState.SCHEDULED);
    assertThat(client.cancel(slow.id()).state()).isEqualTo(JobState.CANCELLED);
    assertThat(client.retry(slow.id()).state()).isIn(JobState.QUEUED, JobState.RUNNING);
    client.cancel(slow.id());
    client.delete(slow.id());
    assertThatThrownBy(() -> client.job(slow.id()))
        .isInstanceOfSatisfying(
            OffloadHttpException.class, e -> assertThat(e.is("job-not-found")).isTrue());
  }

  @Test
  void instanceInformation() {
    assertThat(client.tasks())
        .extracting(OffloadClient.TaskInfo::name)
        .contains("spin", "primes", "sha256", "flaky");
    assertThat(client.stats().has("jobs")).isTrue();
    assertThat(client.isReady()).isTrue();
  }

  @Test
  void errorsCarryTheProblem() {
    assertThatThrownBy(() -> client.submit(JobSpec.of("spin", Map.of("ms", "many"))))
        .isInstanceOfSatisfying(
            OffloadHttpException.class,
            e -> {
              assertThat(e.status()).isEqualTo(422);
              assertThat(e.problem().get("field").asText()).isEqualTo("input.ms");
            });
    try (OffloadClient nowhere =
        OffloadClient.builder(java.net.URI.create("http://127.0.0.1:1")).build()) {
      assertThatThrownBy(nowhere::tasks).isInstanceOf(ServerUnreachableException.class);
      assertThat(nowhere.isReady()).isFalse();
    }
  }

  @Test
  void eventsFollowOneJobToItsEnd() throws Exception {
    Job job = client.submit(JobSpec.of("sleep", Map.of("ms", 300)));
    List<JsonNode> seen = new CopyOnWriteArrayList<>();
    CompletableFuture<Void> stream = client.events(job.id(), seen::add);
    stream.get(10, TimeUnit.SECONDS);
    assertThat(seen).isNotEmpty();
    assertThat(seen)
        .allSatisfy(e -> assertThat(e.get("id").asText()).isEqualTo(job.id().toString()));
    assertThat(seen.getLast().get("state").asText()).isEqualTo("succeeded");
  }

  @Test
  void theEventStreamCarriesEveryJobsChanges() throws Exception {
    List<JsonNode> seen = new CopyOnWriteArrayList<>();
    CompletableFuture<Void> stream = client.events(null, seen::add);
    // The stream is open once a probe job's events arrive through it (no fixed wait).
    org.awaitility.Awaitility.await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> {
          JobId probe = client.submit(JobSpec.of("spin", Map.of("ms", 0))).id();
          client.await(probe, Duration.ofSeconds(5));
          return seen.stream().anyMatch(e -> e.get("id").asText().equals(probe.toString()));
        });
    JobId id = client.submit(JobSpec.of("spin", Map.of("ms", 1))).id();
    client.await(id, Duration.ofSeconds(10));
    org.awaitility.Awaitility.await()
        .atMost(Duration.ofSeconds(5))
        .until(() ->
            seen.stream()
                .anyMatch(e ->
                    e.get("id").asText().equals(id.toString())
                        && e.get("state").asText().equals("succeeded")));
    assertThat(
            seen.stream()
                .filter(e -> e.get("id").asText().equals(id.toString()))
                .map(e -> e.get("state").asText()))
        .contains("queued", "succeeded");
    stream.cancel(true);
  }
}
