package dev.offload.tck;

import static org.assertj.core.api.Assertions.assertThat;

import dev.offload.Job;
import dev.offload.JobError;
import dev.offload.Progress;
import dev.offload.spi.Completion;
import dev.offload.spi.Heartbeat;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Text goes in and comes out byte for byte: input and result are opaque JSON text (no
 * re-formatting, key re-ordering or number normalisation, as a {@code jsonb} column would do), and
 * error and progress texts keep every character.
 */
abstract class RoundTripContract extends ContractSupport {
  RoundTripContract(JobStoreContract owner) {
    super(owner);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "{}",
        "{\"b\":2,\"a\":1}",
        "{ \"spaced\" :  [1, 2.50, 1e3, -0.0, 1E-7] }\n",
        "{\"big\":123456789012345678901234567890.000000000000000000001}",
        "{\"text\":\"h\\u00e9llo \u00e9 \\\\ \\\" \\n tab\\t \uD83D\uDE00 \u4E2D\u6587\"}",
        "\"just a string\"",
        "42",
        "null",
        "[]",
        "[{\"nested\":{\"deep\":[true,false,null]}}]"
      })
  void inputAndResultTextRoundTripExactly(String json) {
    Job job = running(queued().queue("json").input(json).build(), WORKER);
    assertThat(get(job.id()).input()).isEqualTo(json);

    store().complete(List.of(Completion.succeeded(job.lease(), now(), json)), now());

    Job done = get(job.id());
    assertThat(done.input()).isEqualTo(json);
    assertThat(done.result()).isEqualTo(json);
  }

  @Test
  void largeInputAndResultRoundTrip() {
    StringBuilder big = new StringBuilder("{\"items\":[");
    for (int i = 0; i < 20_000; i++) {
      big.append(i == 0 ? "" : ",").append("{\"i\":").append(i).append(",\"s\":\"\u00e9\"}");
    }
    String json = big.append("]}").toString();
    Job job = running(queued().input(json).build(), WORKER);

    store().complete(List.of(Completion.succeeded(job.lease(), now(), json)), now());

    assertThat(get(job.id()).input()).isEqualTo(json);
    assertThat(get(job.id()).result()).isEqualTo(json);
  }

  @Test
  void errorAndProgressTextRoundTrip() {
    Job job = running();
    Progress progress =
        new Progress(0.3333333333333333, "step 2/3 \u2014 r\u00e9sum\u00e9 \uD83D\uDE80");
    store()
        .heartbeat(List.of(new Heartbeat(job.lease(), progress, null)), now().plus(LEASE), now());
    JobError error =
        new JobError(
            JobError.EXCEPTION,
            "bad input: \"x\" \u00e9",
            "java.lang.IllegalStateException: boom\n\tat a.b.C.d(C.java:1)\r\n\tat \u4E2D\n");

    store().complete(List.of(Completion.failed(job.lease(), now(), error)), now());

    Job failed = get(job.id());
    assertThat(failed.progress()).isEqualTo(progress);
    assertThat(failed.error()).isEqualTo(error);
  }

  @Test
  void namesAndKeysWithUnusualCharactersRoundTrip() {
    Job job =
        enqueue(
            queued()
                .task("billing.invoice:render/v2")
                .queue("r\u00e9ports & more")
                .idempotencyKey("order:42/\u00e9 \"quoted\" {braces} *?")
                .build());

    assertThat(get(job.id())).isEqualTo(job);
    assertThat(claim(WORKER, 1, "r\u00e9ports & more"))
        .extracting(Job::id)
        .containsExactly(job.id());
    assertThat(store().enqueue(queued().idempotencyKey(job.idempotencyKey()).build()).created())
        .isFalse();
  }
}
