package dev.offload.broker.nats;

import dev.offload.JobTransports;
import dev.offload.transport.tck.TransportContract;
import io.nats.client.Connection;
import io.nats.client.Nats;
import java.net.InetSocketAddress;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;

@Tag("service")
class NatsTransportContractTest extends TransportContract {
  private static NatsTestServer server;

  @BeforeAll
  static void startServer() throws Exception {
    server = NatsTestServer.start();
  }

  @AfterAll
  static void stopServer() throws Exception {
    if (server != null) {
      server.close();
    }
  }

  @Override
  protected String brokerUrl() {
    return server.url();
  }

  @Override
  protected InetSocketAddress brokerAddress() {
    return server.address();
  }

  @Override
  protected void publishRaw(String prefix, String queue, byte[] body) throws Exception {
    try (NatsTransport t = (NatsTransport) JobTransports.open(server.url() + "?prefix=" + prefix)) {
      t.declare(queue);
    }
    try (Connection c = Nats.connect(server.url())) {
      c.jetStream().publish(new NatsNames(prefix, queue).subject(), body);
    }
  }

  @Override
  protected void restartBroker() throws Exception {
    server.restart();
  }
}
