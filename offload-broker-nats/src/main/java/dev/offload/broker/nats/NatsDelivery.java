package dev.offload.broker.nats;

import dev.offload.spi.AbstractDelivery;
import dev.offload.spi.JobMessage;
import io.nats.client.Message;
import java.time.Duration;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A JetStream message: ack, {@code NakWithDelay}, {@code +WPI} (in progress), park and ack. */
final class NatsDelivery extends AbstractDelivery {
  private static final Logger log = LoggerFactory.getLogger(NatsDelivery.class);
  private final NatsQueueConsumer owner;
  private final Message raw;
  private final String coordinates;

  NatsDelivery(
      NatsQueueConsumer owner,
      Message raw,
      JobMessage message,
      int count,
      Instant published,
      String coordinates) {
    super(message, count, published, owner.maxDeliveries());
    this.owner = owner;
    this.raw = raw;
    this.coordinates = coordinates;
  }

  Message raw() {
    return raw;
  }

  String coordinates() {
    return coordinates;
  }

  @Override
  protected void doAck() {
    raw.ack();
  }

  @Override
  protected void doNack(Duration delay) {
    if (delay.isZero()) {
      raw.nak();
    } else {
      raw.nakWithDelay(delay);
    }
  }

  @Override
  protected void doInProgress() {
    raw.inProgress();
  }

  @Override
  protected void doDeadLetter(String reason) {
    owner.park(this, reason);
  }

  @Override
  protected boolean isClosed() {
    return owner.isClosed();
  }

  @Override
  protected void released() {
    owner.settled(this);
  }

  @Override
  protected void lost(String operation, RuntimeException cause) {
    log.warn(
        "NATS {} of job {} failed ({}); the message will be redelivered",
        operation,
        jobId(),
        cause.toString());
  }
}
