package dev.offload.broker.nats;

import dev.offload.spi.JobTransport;
import dev.offload.spi.TransportProvider;
import java.util.Set;

/**
 * Opens the NATS JetStream transport for {@code nats://host:4222[,host:port…][?options]} (and
 * {@code tls://}). Options beside the common ones: {@code user}/{@code password} in the URL's user
 * info. See docs/BROKERS.md.
 */
public final class NatsTransportProvider implements TransportProvider {
  @Override
  public Set<String> schemes() {
    return Set.of("nats", "tls");
  }

  @Override
  public JobTransport open(String url) {
    return NatsTransport.open(url);
  }
}
