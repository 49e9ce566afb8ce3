package dev.offload.broker.rabbitmq;

import dev.offload.spi.TransportConsumer;
import java.util.List;
import java.util.function.Consumer;

/** One {@link RabbitQueueConsumer} per queue of a consume request, closed together. */
final class RabbitConsumer implements TransportConsumer {
  private final List<RabbitQueueConsumer> parts;
  private final Consumer<RabbitConsumer> onClose;

  RabbitConsumer(List<RabbitQueueConsumer> parts, Consumer<RabbitConsumer> onClose) {
    this.parts = List.copyOf(parts);
    this.onClose = onClose;
  }

  @Override
  public int unsettled() {
    return parts.stream().mapToInt(RabbitQueueConsumer::unsettled).sum();
  }

  @Override
  public void close() {
    parts.forEach(RabbitQueueConsumer::close);
    onClose.accept(this);
  }
}
