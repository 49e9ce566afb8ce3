package dev.offload.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.offload.Offload;
import dev.offload.generated.ApiClient;
import dev.offload.generated.ApiException;
import dev.offload.generated.api.JobsApi;
import dev.offload.generated.api.TasksApi;
import dev.offload.generated.model.Job;
import dev.offload.generated.model.JobRequest;
import dev.offload.generated.model.JobState;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A client generated from openapi.json by a standard generator (openapi-generator, Java, native
 * library; see this module's pom) works against the real server: what the document promises is what
 * the server does, down to the types a generated client decodes strictly.
 */
class GeneratedClientTest {
  static Offload offload;
  static OffloadServer server;
  static ApiClient api;

  @BeforeAll
  static void start() {
    offload = Offload.builder().tasks(TestTasks.registry()).threads(2).build();
    server = OffloadServer.builder(offload).port(0).build().start();
    api = new ApiClient();
    api.updateBaseUri(server.url());
  }

  @AfterAll
  static void stop() {
    server.stop();
    offload.close();
  }

  @Test
  void aGeneratedClientSubmitsReadsListsAndRuns() throws Exception {
    JobsApi jobs = new JobsApi(api);
    JobRequest request = new JobRequest();
    request.setTask("spin");
    request.setInput(Map.of("ms", 1));
    request.setMaxAttempts(2);

    Job submitted = jobs.submitJob(request);
    assertThat(submitted.getTask()).isEqualTo("spin");

    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> jobs.getJob(submitted.getId()).getState() == JobState.SUCCEEDED);
    Job done = jobs.getJob(submitted.getId());
    assertThat(done.getAttempts()).isEqualTo(1);
    assertThat(done.getError()).isNull();
    assertThat(done.getHistory()).hasSize(1);
    assertThat(done.getHistory().get(0).getOutcome()).isEqualTo("succeeded");
    assertThat(jobs.listJobs("succeeded", "spin", null, 10, null).getItems())
        .extracting(Job::getId)
        .contains(submitted.getId());

    assertThat(new TasksApi(api).runTask("spin", Map.of("ms", 1), null)).isNotNull();
  }

  @Test
  void aGeneratedClientSeesProblemsAsTheirStatus() {
    JobRequest unknown = new JobRequest();
    unknown.setTask("no-such-task");
    unknown.setInput(Map.of());
    assertThatThrownBy(() -> new JobsApi(api).submitJob(unknown))
        .isInstanceOfSatisfying(
            ApiException.class,
            e -> {
              assertThat(e.getCode()).isEqualTo(404);
              assertThat(e.getResponseBody()).contains("\"type\"");
            });
  }
}
