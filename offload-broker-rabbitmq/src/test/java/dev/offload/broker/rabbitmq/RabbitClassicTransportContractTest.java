package dev.offload.broker.rabbitmq;

import org.junit.jupiter.api.Tag;

/**
 * Classic queues with {@code x-max-priority}: the one RabbitMQ queue type with priorities in 3.x.
 */
@Tag("service")
class RabbitClassicTransportContractTest extends RabbitTransportContractTest {
  @Override
  protected String brokerUrl() {
    return RabbitTestServer.URL + "?queue-type=classic";
  }

  @Override
  String urlOptions(String prefix) {
    return "&prefix=" + prefix;
  }
}
