package dev.offload.broker.rabbitmq;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import dev.offload.JobTransports;
import dev.offload.transport.tck.TransportContract;
import java.net.InetSocketAddress;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;

/** Durable quorum queues (the default). */
@Tag("service")
class RabbitTransportContractTest extends TransportContract {
  @BeforeAll
  static void server() {
    RabbitTestServer.assumeAvailable();
  }

  @Override
  protected String brokerUrl() {
    return RabbitTestServer.URL;
  }

  @Override
  protected InetSocketAddress brokerAddress() {
    return RabbitTestServer.address();
  }

  /** A plain AMQP publish to the queue (persistent, no message-id), as a foreign producer would. */
  @Override
  protected void publishRaw(String prefix, String queue, byte[] body) throws Exception {
    try (RabbitTransport t =
        (RabbitTransport) JobTransports.open(brokerUrl() + urlOptions(prefix))) {
      t.declare(queue);
    }
    ConnectionFactory f = new ConnectionFactory();
    f.setUri(RabbitTestServer.URL);
    try (Connection c = f.newConnection();
        Channel ch = c.createChannel()) {
      ch.confirmSelect();
      ch.basicPublish(
          "",
          new RabbitNames(prefix, queue).work(),
          new AMQP.BasicProperties.Builder().deliveryMode(2).build(),
          body);
      ch.waitForConfirmsOrDie(10_000);
    }
  }

  String urlOptions(String prefix) {
    return "?prefix=" + prefix;
  }

  @Override
  protected void restartBroker() throws Exception {
    RabbitTestServer.restart();
  }
}
