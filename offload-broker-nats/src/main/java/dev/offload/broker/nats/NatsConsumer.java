package dev.offload.broker.nats;

import dev.offload.spi.TransportConsumer;
import java.util.List;
import java.util.function.Consumer;

/** One {@link NatsQueueConsumer} per queue of a consume request, closed together. */
final class NatsConsumer implements TransportConsumer {
  private final List<NatsQueueConsumer> parts;
  private final Consumer<NatsConsumer> onClose;

  NatsConsumer(List<NatsQueueConsumer> parts, Consumer<NatsConsumer> onClose) {
    this.parts = List.copyOf(parts);
    this.onClose = onClose;
  }

  @Override
  public int unsettled() {
    return parts.stream().mapToInt(NatsQueueConsumer::unsettled).sum();
  }

  @Override
  public void close() {
    parts.forEach(NatsQueueConsumer::close);
    onClose.accept(this);
  }
}
