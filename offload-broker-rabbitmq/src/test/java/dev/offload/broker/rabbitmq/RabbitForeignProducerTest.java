package dev.offload.broker.rabbitmq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.offload.JobTransports;
import dev.offload.spi.ConsumeRequest;
import dev.offload.transport.tck.ForeignProducer;
import dev.offload.transport.tck.Recorder;
import java.time.Duration;
import java.util.Set;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** docs/BROKERS.md's Python (pika) producer, run as a user would, feeds the Offload transport. */
@Tag("service")
class RabbitForeignProducerTest {
  @Test
  void aJobPublishedWithPikaArrivesAsThatJob() throws Exception {
    RabbitTestServer.assumeAvailable();
    ForeignProducer.assumePythonModule("pika");
    String prefix = "py" + Long.toHexString(System.nanoTime());
    try (RabbitTransport t =
        (RabbitTransport) JobTransports.open(RabbitTestServer.URL + "?prefix=" + prefix)) {
      try {
        t.declare("default");
        String out =
            ForeignProducer.run(
                "rabbitmq_producer.py",
                RabbitTestServer.URL,
                prefix + ".default",
                ForeignProducer.JOB_JSON);
        assertThat(out).contains("published to " + prefix + ".default");
        Recorder r = Recorder.acking();
        t.consume(new ConsumeRequest(Set.of("default"), 4), r);
        await().atMost(Duration.ofSeconds(20)).until(() -> r.count() == 1);
        ForeignProducer.assertDecodedJob(r.deliveries().get(0), "default");
        assertThat(r.deliveries().get(0).jobId().value().version())
            .as("pika's message_id (a UUID) is the job id")
            .isEqualTo(4);
      } finally {
        t.deleteQueue("default");
      }
    }
  }
}
