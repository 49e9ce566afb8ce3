package dev.offload;

import dev.offload.spi.JobTransport;
import dev.offload.spi.TransportProvider;
import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;

/**
 * Opens job transports (brokers) from a URL.
 *
 * <pre>{@code
 * JobTransport rabbit = JobTransports.open("amqp://guest:guest@127.0.0.1:5672/%2f"); // offload-broker-rabbitmq
 * JobTransport nats = JobTransports.open("nats://127.0.0.1:4222");                   // offload-broker-nats
 * JobTransport kafka = JobTransports.open("kafka://127.0.0.1:9092");                 // offload-broker-kafka
 * }</pre>
 */
public final class JobTransports {
  private JobTransports() {}

  /**
   * Opens the transport a URL names, through the {@link TransportProvider} registered for its
   * scheme.
   *
   * @throws InvalidInputException when no provider on the class path takes the scheme
   * @throws BrokerException when the broker cannot be reached
   */
  public static JobTransport open(String url) {
    return open(url, JobTransports.class.getClassLoader());
  }

  /** {@link #open(String)} with providers found through {@code loader}. */
  public static JobTransport open(String url, ClassLoader loader) {
    if (url == null || url.isBlank()) {
      throw new InvalidInputException("broker", "a broker URL is required");
    }
    List<String> known = new ArrayList<>();
    for (TransportProvider provider : ServiceLoader.load(TransportProvider.class, loader)) {
      for (String scheme : provider.schemes()) {
        known.add(scheme);
        if (url.startsWith(scheme + "://")) {
          return provider.open(url);
        }
      }
    }
    throw new InvalidInputException(
        "broker",
        "no transport for URL '"
            + JobStores.maskPassword(url)
            + "'; known schemes: "
            + known
            + " (is the broker module, e.g. offload-broker-nats, on the class path?)");
  }
}
