package dev.offload.broker.nats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.offload.JobId;
import dev.offload.JobTransports;
import dev.offload.spi.BrokerNames;
import dev.offload.spi.ConsumeRequest;
import dev.offload.transport.tck.ForeignProducer;
import dev.offload.transport.tck.Recorder;
import java.time.Duration;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * docs/BROKERS.md's NATS producer (the plain NATS protocol from Python's standard library, no
 * client package), run as a user would, feeds the Offload transport.
 */
@Tag("service")
class NatsForeignProducerTest {
  private static NatsTestServer server;

  @BeforeAll
  static void start() throws Exception {
    server = NatsTestServer.start();
  }

  @AfterAll
  static void stop() throws Exception {
    if (server != null) {
      server.close();
    }
  }

  @Test
  void aJobPublishedOverThePlainProtocolArrivesAsThatJob() throws Exception {
    ForeignProducer.assumePythonModule("json");
    String address = server.url().substring("nats://".length());
    try (NatsTransport t = (NatsTransport) JobTransports.open(server.url() + "?prefix=py")) {
      t.declare("default");
      String out =
          ForeignProducer.run(
              "nats_producer.py", address, "py.jobs.default", ForeignProducer.JOB_JSON);
      assertThat(out).contains("published to py_default seq 1");
      String msgId = UUID.randomUUID().toString();
      ForeignProducer.run(
          "nats_producer.py", address, "py.jobs.default", ForeignProducer.JOB_JSON, msgId);
      ForeignProducer.run(
          "nats_producer.py", address, "py.jobs.default", ForeignProducer.JOB_JSON, msgId);
      Recorder r = Recorder.acking();
      t.consume(new ConsumeRequest(Set.of("default"), 4), r);
      await().atMost(Duration.ofSeconds(20)).until(() -> r.count() >= 2);
      await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(5)).until(() -> true);
      assertThat(r.count())
          .as("the second publish with the same Nats-Msg-Id was dropped")
          .isEqualTo(2);
      ForeignProducer.assertDecodedJob(r.deliveries().get(0), "default");
      ForeignProducer.assertDecodedJob(r.deliveries().get(1), "default");
      JobId first = r.deliveries().get(0).jobId();
      assertThat(first)
          .as("an id-less message's job id comes from its stream sequence")
          .isEqualTo(BrokerNames.derivedJobId(r.deliveries().get(0).publishedAt(), "py_default:1"));
    }
  }

  @Test
  void withoutAStreamTheProducerSaysSo() throws Exception {
    ForeignProducer.assumePythonModule("json");
    String address = server.url().substring("nats://".length());
    org.assertj.core.api.Assertions.assertThatThrownBy(() ->
            ForeignProducer.run(
                "nats_producer.py", address, "nobody.jobs.here", "{\"task\": \"t\"}"))
        .hasMessageContaining("is an Offload worker running?");
  }
}
