package dev.offload.spi;

import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;

/**
 * Carries jobs from producers to workers through a message broker (RabbitMQ, NATS JetStream,
 * Kafka). The job store stays the source of truth for a job's state, result and fencing; the
 * transport only moves job messages: push instead of claim polling, fan-out to any number of worker
 * processes, the broker's acknowledgement and redelivery. Every implementation passes {@code
 * TransportContract} in {@code offload-transport-tck}. Message format: docs/BROKERS.md.
 *
 * <pre>{@code
 * try (JobTransport t = JobTransports.open("nats://127.0.0.1:4222")) {
 *   t.publish(List.of(JobMessage.of(JobId.newId(now), "spin", "{\"ms\":20}")));
 *   TransportConsumer c = t.consume(new ConsumeRequest(Set.of("default"), 8), d -> {
 *     run(d.message()); d.ack();
 *   });
 * }
 * }</pre>
 *
 * <p>Names: a queue {@code q} lives in the broker under the transport's {@link #prefix()} ({@code
 * offload.q} by default), with companions for delayed retries and dead letters.
 */
public interface JobTransport extends AutoCloseable {

  /** The broker URL with any password masked, for messages and logs. */
  String describe();

  TransportCapabilities capabilities();

  /** The name prefix of this transport's queues, streams or topics ({@code ?prefix=}). */
  String prefix();

  /**
   * Deliveries after which a message is dead-lettered instead of delivered ({@code
   * ?max-deliveries=}).
   */
  int maxDeliveries();

  /**
   * How long a delivery may stay unsettled without {@link Delivery#inProgress()} before the broker
   * gives it to another consumer, where {@link TransportCapabilities#ackTimeout()}.
   */
  Duration ackTimeout();

  /**
   * Publishes job messages to their queues and returns once the broker has durably accepted every
   * one (publisher confirms, JetStream acks, Kafka {@code acks=all}). Each message needs an id: it
   * is the broker's de-duplication id where the broker has one. Creates missing queues.
   *
   * @throws dev.offload.BrokerException when the broker refuses or does not confirm a message in
   *     time; some of the batch may then have been accepted (publishing again is safe: the store
   *     and, where it has one, the broker deduplicate by job id)
   */
  void publish(List<JobMessage> messages);

  /**
   * Starts receiving. {@code handler} runs on the transport's own thread, once per delivery, and
   * must not block: it hands the delivery to the worker and returns. It is never handed a message
   * that does not decode: those are dead-lettered with the reason and logged. Creates missing
   * queues.
   */
  TransportConsumer consume(ConsumeRequest request, Consumer<Delivery> handler);

  /**
   * Messages in {@code queue} not yet acknowledged, as the broker counts them: RabbitMQ counts
   * messages ready for delivery, NATS messages pending plus delivered-unacked, Kafka the offsets
   * between the consumer group's commit and the log end (so unfinished ones too). Retries waiting
   * out a delay are included on NATS and Kafka, not on RabbitMQ. 0 for an unknown queue.
   */
  long lag(String queue);

  /**
   * Up to {@code max} of the oldest messages parked in {@code queue}'s dead-letter queue, left
   * there.
   */
  List<DeadLetter> deadLetters(String queue, int max);

  /** Deletes {@code queue} and its companions (retry, dead-letter), with every message in them. */
  void deleteQueue(String queue);

  /** Whether the broker answers (for readiness checks); must not block for long. */
  boolean isHealthy();

  /** Closes every consumer (see {@link TransportConsumer#close()}) and the connections. */
  @Override
  void close();
}
