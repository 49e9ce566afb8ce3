package dev.offload.broker.rabbitmq;

import dev.offload.spi.JobTransport;
import dev.offload.spi.TransportProvider;
import java.util.Set;

/**
 * Opens the RabbitMQ transport for {@code amqp://user:password@host:5672/vhost[?options]} (and
 * {@code amqps://}). Options beside the common ones: {@code queue-type} ({@code quorum}, the
 * default, or {@code classic} for priorities), {@code heartbeat} (default {@code 10s}). See
 * docs/BROKERS.md.
 */
public final class RabbitTransportProvider implements TransportProvider {
  @Override
  public Set<String> schemes() {
    return Set.of("amqp", "amqps");
  }

  @Override
  public JobTransport open(String url) {
    return RabbitTransport.open(url);
  }
}
