package dev.offload.spi;

import dev.offload.JobId;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The part of a {@link Delivery} every transport shares: one settlement only, the delivery limit (a
 * nack of the last allowed delivery parks the message instead), and the consumer's credit given
 * back on settlement. A transport implements the four broker operations.
 *
 * <p>A broker operation that fails because the connection is gone is not an error for the caller:
 * the broker hands the unsettled message out again, which is what the operation would have led to
 * or what the store's fencing absorbs. Such failures are left to {@link #lost}.
 */
public abstract class AbstractDelivery implements Delivery {
  private final String queue;
  private final JobMessage message;
  private final int deliveryCount;
  private final Instant publishedAt;
  private final int maxDeliveries;
  private final AtomicBoolean settled = new AtomicBoolean();

  protected AbstractDelivery(
      JobMessage message, int deliveryCount, Instant publishedAt, int maxDeliveries) {
    this.message = Objects.requireNonNull(message, "message");
    Objects.requireNonNull(message.id(), "message.id");
    this.queue = message.queue();
    this.deliveryCount = deliveryCount;
    this.publishedAt = publishedAt;
    this.maxDeliveries = maxDeliveries;
  }

  @Override
  public final String queue() {
    return queue;
  }

  @Override
  public final JobId jobId() {
    return message.id();
  }

  @Override
  public final JobMessage message() {
    return message;
  }

  @Override
  public final int deliveryCount() {
    return deliveryCount;
  }

  @Override
  public final Instant publishedAt() {
    return publishedAt;
  }

  @Override
  public final void ack() {
    settle("ack");
    run(this::doAck, "ack");
  }

  @Override
  public final void nack(Duration delay) {
    Objects.requireNonNull(delay, "delay");
    if (delay.isNegative()) {
      throw new IllegalArgumentException("delay must not be negative, was " + delay);
    }
    settle("nack");
    if (deliveryCount >= maxDeliveries) {
      String reason =
          "delivered " + deliveryCount + " times (max-deliveries=" + maxDeliveries + ")";
      run(() -> doDeadLetter(reason), "dead-letter");
    } else {
      run(() -> doNack(delay), "nack");
    }
  }

  @Override
  public final void inProgress() {
    if (!settled.get()) {
      run(this::doInProgress, "in-progress");
    }
  }

  @Override
  public final void deadLetter(String reason) {
    Objects.requireNonNull(reason, "reason");
    settle("dead-letter");
    run(() -> doDeadLetter(reason), "dead-letter");
  }

  /** Whether it was settled (or handed back when its consumer closed). */
  public final boolean isSettled() {
    return settled.get();
  }

  /**
   * Marks it settled without telling the broker: its consumer closed and the broker gets it back
   * another way. Returns whether it was still unsettled.
   */
  public final boolean abandon() {
    boolean was = settled.compareAndSet(false, true);
    if (was) {
      released();
    }
    return was;
  }

  private void settle(String how) {
    if (!settled.compareAndSet(false, true)) {
      if (isClosed()) {
        return; // its consumer closed and handed it back; a late settle does nothing
      }
      throw new IllegalStateException(
          "delivery of job " + jobId() + " is already settled (" + how + ")");
    }
    released();
  }

  private void run(Runnable op, String what) {
    if (isClosed()) {
      return;
    }
    try {
      op.run();
    } catch (RuntimeException e) {
      lost(what, e);
    }
  }

  /** The broker forgets the message. */
  protected abstract void doAck();

  /** The broker delivers it again no sooner than {@code delay}, counting one more delivery. */
  protected abstract void doNack(Duration delay);

  /** Restarts the broker's redelivery timer, where it has one. */
  protected abstract void doInProgress();

  /** Moves it to the dead-letter queue with {@code reason}. */
  protected abstract void doDeadLetter(String reason);

  /** Its consumer is closed: operations are skipped (the broker already has it back). */
  protected abstract boolean isClosed();

  /** Gives the consumer's credit back; called once. */
  protected abstract void released();

  /** A broker operation failed; the message will come back. Log it. */
  protected abstract void lost(String operation, RuntimeException cause);
}
