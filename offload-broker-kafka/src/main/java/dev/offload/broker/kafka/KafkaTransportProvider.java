package dev.offload.broker.kafka;

import dev.offload.spi.JobTransport;
import dev.offload.spi.TransportProvider;
import java.util.Set;

/**
 * Opens the Kafka transport for {@code kafka://host:9092[,host:port…][?options]}. Options beside
 * the common ones: {@code partitions} (of new topics, default 6), {@code replication} (default 1; 3
 * on a real cluster), {@code group} (consumer group, default {@code PREFIX-workers}), {@code
 * session-timeout} (default {@code 10s}), {@code rebalance-wait} (how long a revoked partition's
 * running jobs may finish before it moves, default {@code 30s}). See docs/BROKERS.md.
 */
public final class KafkaTransportProvider implements TransportProvider {
  @Override
  public Set<String> schemes() {
    return Set.of("kafka");
  }

  @Override
  public JobTransport open(String url) {
    return KafkaTransport.open(url);
  }
}
