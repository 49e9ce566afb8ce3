package dev.offload.broker.nats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.fail;

import dev.offload.BrokerException;
import dev.offload.JobId;
import dev.offload.JobTransports;
import dev.offload.spi.ConsumeRequest;
import dev.offload.spi.JobMessage;
import dev.offload.spi.JobTransport;
import dev.offload.transport.tck.Recorder;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The machine's NATS service ({@code OFFLOAD_TEST_NATS_URL}, default {@code nats://127.0.0.1:4222},
 * started by .ci/services.sh with JetStream on) carries a job end to end. The contract suite runs
 * on a server the tests own (they restart it); this checks the shared service users would point at.
 */
@Tag("service")
class NatsLocalServiceTest {
  static final String URL =
      System.getenv().getOrDefault("OFFLOAD_TEST_NATS_URL", "nats://127.0.0.1:4222");

  @Test
  void theLocalServiceCarriesAJob() {
    String prefix = "svc" + Long.toHexString(System.nanoTime());
    JobTransport t;
    try {
      t = JobTransports.open(URL + "?prefix=" + prefix);
    } catch (BrokerException e) {
      String why = "NATS with JetStream at " + URL + " is not reachable: " + e.getMessage();
      if ("true".equalsIgnoreCase(System.getenv("CI"))) {
        fail(why + " (CI=true: tests that need it fail instead of being skipped)");
      }
      Assumptions.abort(why);
      return;
    }
    try (t) {
      try {
        JobMessage m = JobMessage.of(JobId.newId(Instant.now()), "spin", "{\"ms\":1}");
        t.publish(List.of(m));
        Recorder r = Recorder.acking();
        t.consume(new ConsumeRequest(Set.of("default"), 2), r);
        await().atMost(Duration.ofSeconds(20)).until(() -> r.count() == 1);
        assertThat(r.deliveries().get(0).message()).isEqualTo(m);
        await().atMost(Duration.ofSeconds(10)).until(() -> t.lag("default") == 0);
      } finally {
        t.deleteQueue("default");
      }
    }
  }
}
