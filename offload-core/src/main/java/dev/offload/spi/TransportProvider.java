package dev.offload.spi;

import java.util.Set;

/**
 * Opens a {@link JobTransport} from a broker URL such as {@code amqp://guest:guest@host:5672/%2f},
 * {@code nats://host:4222} or {@code kafka://host:9092}. Broker modules register one with {@link
 * java.util.ServiceLoader} ({@code META-INF/services/dev.offload.spi.TransportProvider}); the URL's
 * scheme picks the provider, so core depends on no broker client.
 */
public interface TransportProvider {
  /** URL schemes this provider opens ({@code "amqp"}, {@code "nats"}, {@code "kafka"}). */
  Set<String> schemes();

  /**
   * Connects. Fails fast (no hang) with a {@link dev.offload.BrokerException} naming the URL
   * (password masked) when the broker cannot be reached, and with {@link
   * dev.offload.InvalidInputException} naming the option when the URL is malformed.
   */
  JobTransport open(String url);
}
