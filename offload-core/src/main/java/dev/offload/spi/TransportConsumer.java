package dev.offload.spi;

/**
 * A running subscription. {@link #close()} stops deliveries and hands every unsettled delivery back
 * to the broker at once (so another consumer gets it without waiting for a timeout); settling such
 * a delivery afterwards does nothing.
 */
public interface TransportConsumer extends AutoCloseable {
  /** Deliveries handed to the handler and not yet settled. */
  int unsettled();

  @Override
  void close();
}
