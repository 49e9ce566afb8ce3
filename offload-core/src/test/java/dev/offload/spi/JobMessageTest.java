package dev.offload.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.offload.Backoff;
import dev.offload.InvalidInputException;
import dev.offload.JobId;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class JobMessageTest {
  static final Instant PUBLISHED = Instant.parse("2030-01-01T00:00:00Z");

  static JobMessage read(String json) {
    return JobMessage.fromJson(json.getBytes(StandardCharsets.UTF_8), "q", PUBLISHED);
  }

  @Test
  void everyFieldRoundTrips() {
    JobMessage m =
        new JobMessage(
            JobId.parse(
                "0193a5d4-7a12-7000-8000-000000000001"), // not newId: it would move this JVM's id
            // clock to 2030
            "hash",
            "q",
            7,
            "{\"text\": \"caf\u00e9\", \"n\": [1, 2.50, 1e3]}",
            PUBLISHED.plusSeconds(5),
            4,
            Backoff.of(Duration.ofMillis(500), Duration.ofMinutes(2)),
            Duration.ofSeconds(30),
            "order-42",
            PUBLISHED.minusMillis(3));
    assertThat(JobMessage.fromJson(m.toJson(), "q", PUBLISHED)).isEqualTo(m);
  }

  @Test
  void onlyTaskIsRequiredAndInputDefaultsToAnEmptyObject() {
    JobMessage m = read("{\"task\": \"spin\"}");
    assertThat(m.id()).isNull();
    assertThat(m.input()).isEqualTo("{}");
    assertThat(m.queue()).isEqualTo("q");
    assertThat(m.priority()).isZero();
    assertThat(m.maxAttempts()).isNull();
    assertThat(m.runAt()).isNull();
  }

  @Test
  void inputKeepsTheProducersTextByteForByte() {
    assertThat(read("{\"input\" :  [1, 2.50,\n {\"a\" : \"\\u00e9\"}] , \"task\": \"t\"}").input())
        .isEqualTo("[1, 2.50,\n {\"a\" : \"\\u00e9\"}]");
    assertThat(read("{\"task\": \"t\", \"input\": 42}").input()).isEqualTo("42");
    assertThat(read("{\"task\": \"t\", \"input\": \"s\"}").input()).isEqualTo("\"s\"");
  }

  @Test
  void aDelayCountsFromThePublishTime() {
    assertThat(read("{\"task\": \"t\", \"delay\": \"10s\"}").runAt())
        .isEqualTo(PUBLISHED.plusSeconds(10));
    assertThat(read("{\"task\": \"t\", \"delay\": 1.5}").runAt())
        .isEqualTo(PUBLISHED.plusMillis(1500));
    assertThat(read("{\"task\": \"t\", \"delay\": \"PT1M\"}").runAt())
        .isEqualTo(PUBLISHED.plusSeconds(60));
    assertThat(read("{\"task\": \"t\", \"timeout\": \"500ms\"}").timeout())
        .isEqualTo(Duration.ofMillis(500));
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "{\"task\": \"t\", \"colour\": 1}                     | colour",
        "{\"input\": {}}                                     | task",
        "{\"task\": 5}                                       | task",
        "{\"task\": \"t\", \"id\": \"nope\"}                 | id",
        "{\"task\": \"t\", \"queue\": \"other\"}             | queue",
        "{\"task\": \"t\", \"priority\": 1.5}                | priority",
        "{\"task\": \"t\", \"maxAttempts\": 0}               | maxAttempts",
        "{\"task\": \"t\", \"delay\": \"soon\"}              | delay",
        "{\"task\": \"t\", \"delay\": -1}                    | delay",
        "{\"task\": \"t\", \"delay\": 1, \"runAt\": \"2030-01-01T00:00:00Z\"} | delay",
        "{\"task\": \"t\", \"runAt\": \"tomorrow\"}          | runAt",
        "{\"task\": \"t\", \"backoff\": 5}                   | backoff",
        "{\"task\": \"t\", \"timeout\": 0}                   | timeout",
        "{\"task\": \"t\", \"idempotencyKey\": \"\"}         | idempotencyKey",
      })
  void aWrongFieldIsNamed(String json, String field) {
    assertThatThrownBy(() -> read(json))
        .isInstanceOf(InvalidInputException.class)
        .extracting(e -> ((InvalidInputException) e).field())
        .isEqualTo(field);
  }

  @Test
  void notAnObjectOrNotJsonOrADuplicateFieldIsRefused() {
    assertThatThrownBy(() -> read("not json"))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("not JSON");
    assertThatThrownBy(() -> read("[1]"))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("JSON object");
    assertThatThrownBy(() -> read("{\"task\": \"a\", \"task\": \"b\"}"))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("task");
  }

  @Test
  void derivedIdsAreStableTimeOrderedV7() {
    JobId a = BrokerNames.derivedJobId(PUBLISHED, "stream:1");
    assertThat(BrokerNames.derivedJobId(PUBLISHED, "stream:1")).isEqualTo(a);
    assertThat(BrokerNames.derivedJobId(PUBLISHED, "stream:2")).isNotEqualTo(a);
    assertThat(a.value().version()).isEqualTo(7);
    assertThat(a.timestamp()).isEqualTo(PUBLISHED);
  }

  @Test
  void safeNamesKeepPlainNamesAndNeverCollide() {
    assertThat(BrokerNames.safe("default")).isEqualTo("default");
    assertThat(BrokerNames.safe("a.b")).startsWith("a_b_").isNotEqualTo(BrokerNames.safe("a*b"));
    assertThat(BrokerNames.safe("x".repeat(100))).hasSizeLessThanOrEqualTo(60);
  }

  @Test
  void brokerUrlsParseAndNameTheirMistakes() {
    BrokerUrl u =
        BrokerUrl.parse("amqp://guest:s3cret@h1:5672,h2:5673/%2f?prefix=shop&ack-timeout=10s");
    assertThat(u.scheme()).isEqualTo("amqp");
    assertThat(u.user()).isEqualTo("guest");
    assertThat(u.password()).isEqualTo("s3cret");
    assertThat(u.hosts()).containsExactly("h1:5672", "h2:5673");
    assertThat(u.path()).isEqualTo("/");
    assertThat(u.prefix()).isEqualTo("shop");
    assertThat(u.ackTimeout()).isEqualTo(Duration.ofSeconds(10));
    assertThat(u.maxDeliveries()).isEqualTo(20);
    assertThat(u.display()).doesNotContain("s3cret");
    assertThatThrownBy(
            () -> BrokerUrl.parse("nats://h?colour=1").requireKnownOptions(java.util.Set.of()))
        .hasMessageContaining("colour");
    assertThatThrownBy(() -> BrokerUrl.parse("nats://h?max-deliveries=0").maxDeliveries())
        .hasMessageContaining("max-deliveries");
    assertThatThrownBy(() -> BrokerUrl.parse("nats://h?prefix=a.b").prefix())
        .hasMessageContaining("prefix");
    assertThatThrownBy(() -> BrokerUrl.parse("localhost:4222")).hasMessageContaining("scheme://");
  }
}
