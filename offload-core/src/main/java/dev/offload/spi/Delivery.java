package dev.offload.spi;

import dev.offload.JobId;
import java.time.Duration;
import java.time.Instant;

/**
 * One delivery of a job message to a consumer. Exactly one of {@link #ack}, {@link #nack} or {@link
 * #deadLetter} settles it; a second settlement throws {@link IllegalStateException}. Until then it
 * counts against the consumer's {@link ConsumeRequest#maxUnacked}.
 *
 * <p>Delivery is at least once: the same job can arrive again (a consumer died, a Kafka partition
 * moved, an ack was lost). The job store's fencing, not the broker, makes the effect happen once.
 */
public interface Delivery {
  /** The queue it came from. */
  String queue();

  /**
   * The job's id: the message's {@code id}, or for a message published without one an id derived
   * from the broker's own coordinates of that message, the same on every redelivery.
   */
  JobId jobId();

  /** The decoded job, with {@link #jobId()} as its id and {@link #queue()} as its queue. */
  JobMessage message();

  /** 1 on the first delivery; see {@link TransportCapabilities#countsCrashRedeliveries()}. */
  int deliveryCount();

  /** When the broker accepted the message (its first publish). */
  Instant publishedAt();

  /** Done: the broker forgets the message. */
  void ack();

  /**
   * Not done: deliver it again, to any consumer, no sooner than {@code delay} from now. Counts as a
   * delivery; once {@link JobTransport#maxDeliveries()} deliveries are used up the message goes to
   * the dead-letter queue instead.
   */
  void nack(Duration delay);

  /**
   * Still working: restarts the broker's redelivery timer where it has one ({@link
   * TransportCapabilities#ackTimeout()}); a long job calls this well within the ack timeout. Does
   * nothing on brokers that redeliver only when the consumer goes away.
   */
  void inProgress();

  /**
   * Parks the message in the queue's dead-letter queue with {@code reason}; never delivered again.
   */
  void deadLetter(String reason);
}
