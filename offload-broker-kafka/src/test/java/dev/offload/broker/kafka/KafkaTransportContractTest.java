package dev.offload.broker.kafka;

import dev.offload.JobTransports;
import dev.offload.transport.tck.TcpProxy;
import dev.offload.transport.tck.TransportContract;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Properties;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;

/** Against a real single-node KRaft broker the test starts from Maven Central's kafka_2.13. */
@Tag("service")
class KafkaTransportContractTest extends TransportContract {
  private static KafkaTestBroker broker;

  @BeforeAll
  static void startBroker() throws Exception {
    broker = KafkaTestBroker.start();
  }

  @AfterAll
  static void stopBroker() throws Exception {
    if (broker != null) {
      broker.close();
    }
  }

  @Override
  protected String brokerUrl() {
    return broker.url() + "?partitions=4&session-timeout=3s";
  }

  @Override
  protected InetSocketAddress brokerAddress() {
    return broker.proxiedListener();
  }

  /**
   * The broker advertises its proxied listener at this port, so the proxy must sit exactly there.
   */
  @Override
  protected TcpProxy openProxy() throws IOException {
    return new TcpProxy(broker.proxiedListener(), broker.proxyPort());
  }

  @Override
  protected String urlVia(TcpProxy proxy) {
    return "kafka://127.0.0.1:" + proxy.port() + "?partitions=4&session-timeout=3s";
  }

  @Override
  protected Duration redeliveryAfterDeath() {
    return Duration.ofSeconds(40);
  }

  /** A plain Kafka producer record with no key and no headers, as a foreign producer would send. */
  @Override
  protected void publishRaw(String prefix, String queue, byte[] body) throws Exception {
    try (KafkaTransport t =
        (KafkaTransport) JobTransports.open(brokerUrl() + "&prefix=" + prefix)) {
      t.declare(queue);
    }
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.url().substring("kafka://".length()));
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p)) {
      producer.send(new ProducerRecord<>(new KafkaNames(prefix, queue).main(), body)).get();
    }
  }

  @Override
  protected void restartBroker() throws Exception {
    broker.restart();
  }
}
