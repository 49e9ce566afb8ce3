package dev.offload.broker.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.offload.JobTransports;
import dev.offload.spi.BrokerNames;
import dev.offload.spi.ConsumeRequest;
import dev.offload.transport.tck.ForeignProducer;
import dev.offload.transport.tck.Recorder;
import java.time.Duration;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * docs/BROKERS.md's Python (kafka-python) producer, run as a user would, feeds the Offload
 * transport.
 */
@Tag("service")
class KafkaForeignProducerTest {
  private static KafkaTestBroker broker;

  @BeforeAll
  static void start() throws Exception {
    broker = KafkaTestBroker.start();
  }

  @AfterAll
  static void stop() throws Exception {
    if (broker != null) {
      broker.close();
    }
  }

  @Test
  void aJobPublishedWithKafkaPythonArrivesAsThatJob() throws Exception {
    ForeignProducer.assumePythonModule("kafka");
    try (KafkaTransport t =
        (KafkaTransport) JobTransports.open(broker.url() + "?prefix=py&partitions=1")) {
      t.declare("default");
      String out =
          ForeignProducer.run(
              "kafka_producer.py",
              broker.url().substring("kafka://".length()),
              "py.default",
              ForeignProducer.JOB_JSON);
      assertThat(out).contains("published to py.default");
      Recorder r = Recorder.holding();
      t.consume(new ConsumeRequest(Set.of("default"), 4), r);
      await().atMost(Duration.ofSeconds(30)).until(() -> r.count() == 1);
      ForeignProducer.assertDecodedJob(r.deliveries().get(0), "default");
      assertThat(r.deliveries().get(0).jobId())
          .as("an id-less record's job id comes from its partition and offset")
          .isEqualTo(
              BrokerNames.derivedJobId(r.deliveries().get(0).publishedAt(), "py.default:0:0"));
      r.nackAll(Duration.ZERO);
      await().atMost(Duration.ofSeconds(30)).until(() -> r.count() == 2);
      assertThat(r.deliveries().get(1).jobId())
          .as("the retry keeps the job id")
          .isEqualTo(r.deliveries().get(0).jobId());
      r.ackAll();
    }
  }
}
