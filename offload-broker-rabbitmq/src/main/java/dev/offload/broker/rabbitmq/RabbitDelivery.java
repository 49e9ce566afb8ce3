package dev.offload.broker.rabbitmq;

import dev.offload.spi.AbstractDelivery;
import dev.offload.spi.JobMessage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A delivery on a consumer channel. A nack publishes a copy (confirmed) carrying the delivery count
 * to the work queue, or to the delay queue of its delay tier, then acks the original: quorum queues
 * in RabbitMQ 3.x have no per-message delay, and a queue-wide TTL per tier keeps a short retry from
 * waiting behind a long one.
 */
final class RabbitDelivery extends AbstractDelivery {
  private static final Logger log = LoggerFactory.getLogger(RabbitDelivery.class);
  private final RabbitQueueConsumer owner;
  private final long tag;
  private final int generation;
  private final byte[] body;

  RabbitDelivery(
      RabbitQueueConsumer owner,
      long tag,
      int generation,
      JobMessage message,
      byte[] body,
      int count,
      Instant published) {
    super(message, count, published, owner.transport().maxDeliveries());
    this.owner = owner;
    this.tag = tag;
    this.generation = generation;
    this.body = body;
  }

  long tag() {
    return tag;
  }

  byte[] body() {
    return body;
  }

  @Override
  protected void doAck() {
    try {
      owner.getChannel().basicAck(tag, false);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  protected void doNack(Duration delay) {
    RabbitTransport t = owner.transport();
    String target =
        delay.isZero() ? owner.names().work() : t.declareDelay(queue(), RabbitNames.tier(delay));
    t.publisher()
        .publish(
            List.of(
                new RabbitPublisher.Out(
                    target,
                    t.props(message(), deliveryCount(), publishedAt().toEpochMilli()),
                    body)));
    doAck();
  }

  @Override
  protected void doInProgress() {
    // RabbitMQ redelivers only when the channel goes (or after its consumer_timeout, 30 min by
    // default).
  }

  @Override
  protected void doDeadLetter(String reason) {
    try {
      owner.park(this, reason);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  protected boolean isClosed() {
    return owner.isClosed() || owner.generation() != generation;
  }

  @Override
  protected void released() {
    owner.settled(this);
  }

  @Override
  protected void lost(String operation, RuntimeException cause) {
    log.warn(
        "RabbitMQ {} of job {} failed ({}); the message will be redelivered",
        operation,
        jobId(),
        cause.toString());
  }
}
