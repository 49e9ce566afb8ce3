package dev.offload.server;

import static dev.offload.server.HttpApiTest.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.offload.Offload;
import dev.offload.StoreException;
import dev.offload.server.internal.Errors;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** What is refused before any job exists, naming the field. */
class InputAtTheDoorTest {
  static Offload offload;
  static OffloadServer server;
  static RawHttp http;

  @BeforeAll
  static void start() {
    offload = Offload.builder().tasks(TestTasks.registry()).threads(2).build();
    server = OffloadServer.builder(offload).port(0).build().start();
    http = new RawHttp(server.url());
  }

  @AfterAll
  static void stop() {
    http.close();
    server.stop();
    offload.close();
  }

  static String field(RawHttp.Answer a) {
    return a.json().get("field").asText();
  }

  @Test
  void theTasksOwnRulesRunAtSubmit() {
    long before = offload.counts().totals().values().stream().mapToLong(Long::longValue).sum();
    RawHttp.Answer a = http.post("/jobs", "{\"task\":\"spin\",\"input\":{\"ms\":-5}}");
    assertProblem(a, 422, "invalid-input");
    assertThat(field(a)).isEqualTo("input.ms");
    assertThat(offload.counts().totals().values().stream().mapToLong(Long::longValue).sum())
        .isEqualTo(before);
    RawHttp.Answer map = http.post("/tasks/spin/map", "[{\"ms\":1},{\"ms\":99999999999}]");
    assertProblem(map, 422, "invalid-input");
    assertThat(field(map)).isEqualTo("input[1].ms");
  }

  @Test
  void aMapTakesAtMostTenThousandInputs() {
    RawHttp.Answer a = http.post("/tasks/spin/map", "[" + "{},".repeat(10_000) + "{}]");
    assertProblem(a, 422, "invalid-input");
    assertThat(field(a)).isEqualTo("body");
  }

  @Test
  void getTasksShowsTheRulesInTheSchema() {
    JsonNode tasks = http.get("/tasks").json().get("tasks");
    JsonNode spin =
        StreamSupport.stream(tasks.spliterator(), false)
            .filter(t -> t.get("name").asText().equals("spin"))
            .findFirst()
            .orElseThrow();
    JsonNode ms = spin.at("/inputSchema/properties/ms");
    assertThat(ms.get("minimum").asLong()).isZero();
    assertThat(ms.get("maximum").asLong()).isEqualTo(3_600_000);
  }

  @Test
  void nullInputIs422NotAFailedJob() {
    RawHttp.Answer a = http.post("/jobs", "{\"task\":\"spin\",\"input\":null}");
    assertProblem(a, 422, "invalid-input");
    assertThat(field(a)).isEqualTo("input");
    RawHttp.Answer run = http.post("/tasks/spin/run", "null");
    assertProblem(run, 422, "invalid-input");
    assertThat(field(run)).isEqualTo("input");
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "{\"task\":\"spin\",\"queue\":\"q\\u0000\"}|queue",
        "{\"task\":\"spin\",\"idempotencyKey\":\"k\\u0000\"}|idempotencyKey",
        "{\"task\":\"sha256\",\"input\":{\"text\":\"a\\u0000b\"}}|input.text",
        "{\"task\":\"sha256\",\"input\":{\"text\":\"\\ud800\"}}|input.text",
        "{\"task\":\"sha256\",\"input\":{\"text\":\"x\\udc00y\"}}|input.text",
        "{\"task\":\"spin\",\"input\":{\"ms\":0,\"k\\u0000\":1}}|input (key)",
        "{\"task\":\"spin\",\"delay\":\"PT99999999999H\"}|delay",
        "{\"task\":\"spin\",\"timeout\":1e300}|timeout",
      })
  void stringsNoStoreKeepsAndHugeDurationsAre422(String body, String expectedField) {
    RawHttp.Answer a = http.post("/jobs", body);
    assertProblem(a, 422, "invalid-input");
    assertThat(field(a)).isEqualTo(expectedField);
  }

  @Test
  void aPairedSurrogateIsFine() {
    RawHttp.Answer a =
        http.post(
            "/jobs", "{\"task\":\"sha256\",\"input\":{\"text\":\"\\ud83d\\ude00\",\"rounds\":1}}");
    assertThat(a.status()).as(a.text()).isEqualTo(202);
  }

  @Test
  void nulInAQueryParameterIs400() {
    RawHttp.Answer a = http.get("/jobs?task=a%00b");
    assertProblem(a, 400, "invalid-parameter");
    assertThat(a.json().get("parameter").asText()).isEqualTo("task");
  }

  @Test
  void storeErrorsNeverCarryTheStoresWords() {
    StoreException e =
        new StoreException(
            "postgresql://db.internal:5432/jobs: ERROR: invalid byte sequence in"
                + " offload.offload_jobs (INSERT INTO offload_jobs ...)");
    Problem reachable = Errors.toProblem(e, () -> true);
    assertThat(reachable.type()).isEqualTo(ProblemType.INTERNAL_ERROR);
    Problem unreachable = Errors.toProblem(e, () -> false);
    assertThat(unreachable.type()).isEqualTo(ProblemType.STORE_UNAVAILABLE);
    assertThat(unreachable.retryAfter()).isNotNull();
    for (Problem p : new Problem[] {reachable, unreachable}) {
      assertThat(p.detail())
          .doesNotContain("postgresql")
          .doesNotContain("offload_jobs")
          .doesNotContain("INSERT");
    }
  }
}
