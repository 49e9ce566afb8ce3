package dev.offload.broker.rabbitmq;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import dev.offload.InvalidInputException;
import dev.offload.JobId;
import dev.offload.spi.BrokerNames;
import dev.offload.spi.Delivery;
import dev.offload.spi.JobMessage;
import java.io.IOException;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One queue's consumer on its own channel, {@code basic.qos} = its credit. When the channel goes
 * down (connection lost, broker restart) the broker has taken back every unacked message, so the
 * deliveries this consumer held are dropped and their settlement skipped; the client's automatic
 * recovery then resumes consuming on a new channel.
 */
final class RabbitQueueConsumer extends DefaultConsumer {
  private static final Logger log = LoggerFactory.getLogger(RabbitQueueConsumer.class);

  private final RabbitTransport transport;
  private final RabbitNames names;
  private final int credit;
  private final Consumer<Delivery> handler;
  private final Set<RabbitDelivery> unsettled = ConcurrentHashMap.newKeySet();
  private final AtomicInteger generation = new AtomicInteger();
  private final String tag;
  private volatile boolean closed;

  RabbitQueueConsumer(
      RabbitTransport transport,
      Connection connection,
      RabbitNames names,
      int credit,
      Consumer<Delivery> handler)
      throws IOException {
    super(connection.createChannel());
    this.transport = transport;
    this.names = names;
    this.credit = credit;
    this.handler = handler;
    Channel ch = getChannel();
    ch.addShutdownListener(cause -> dropAll());
    ch.basicQos(credit);
    this.tag = ch.basicConsume(names.work(), false, this);
  }

  int unsettled() {
    return unsettled.size();
  }

  int generation() {
    return generation.get();
  }

  boolean isClosed() {
    return closed;
  }

  RabbitTransport transport() {
    return transport;
  }

  RabbitNames names() {
    return names;
  }

  @Override
  public void handleDelivery(
      String consumerTag, Envelope env, AMQP.BasicProperties props, byte[] body) {
    Map<String, Object> h = props.getHeaders();
    int previous = intHeader(h, RabbitTransport.DELIVERIES);
    int returned =
        props.getHeaders() != null && h.containsKey("x-delivery-count")
            ? intHeader(h, "x-delivery-count")
            : (env.isRedeliver() ? 1 : 0);
    int count = previous + returned + 1;
    long publishedMillis =
        h != null && h.get(RabbitTransport.PUBLISHED) instanceof Number n
            ? n.longValue()
            : props.getTimestamp() != null
                ? props.getTimestamp().getTime()
                : System.currentTimeMillis();
    Instant published = Instant.ofEpochMilli(publishedMillis);
    JobMessage message;
    try {
      message = JobMessage.fromJson(body, names.queue(), published);
    } catch (InvalidInputException e) {
      parkRaw(env, props, body, "invalid message: " + e.getMessage(), count);
      return;
    }
    if (message.id() == null) {
      JobId id =
          idFor(
              props.getMessageId(),
              published,
              h != null && h.containsKey(RabbitTransport.PUBLISHED)
                  || props.getTimestamp() != null);
      if (id == null) {
        stamp(env, message, body, count - 1);
        return;
      }
      message = message.withId(id);
    }
    if (count > transport.maxDeliveries()) {
      parkRaw(
          env,
          props,
          body,
          "delivered " + (count - 1) + " times (max-deliveries=" + transport.maxDeliveries() + ")",
          count - 1);
      return;
    }
    RabbitDelivery d =
        new RabbitDelivery(
            this, env.getDeliveryTag(), generation.get(), message, body, count, published);
    unsettled.add(d);
    try {
      handler.accept(d);
    } catch (RuntimeException e) {
      log.error("delivery handler failed on job {}; the message stays unacked", d.jobId(), e);
    }
  }

  /**
   * The job id of a message without an {@code id} field: its message-id when that is a UUID, else
   * one derived from the message-id and a publish time the message carries; {@code null} when it
   * has neither (then it is stamped).
   */
  private JobId idFor(String messageId, Instant published, boolean publishTimeCarried) {
    if (messageId == null) {
      return null;
    }
    try {
      return JobId.parse(messageId);
    } catch (InvalidInputException notAUuid) {
      return publishTimeCarried
          ? BrokerNames.derivedJobId(published, "amqp:" + names.work() + ":" + messageId)
          : null;
    }
  }

  /**
   * A foreign message with neither an {@code id} field nor a message-id: RabbitMQ keeps no stable
   * coordinates of a message, so it is published again once with a fresh job id as its message-id
   * and the original acked. A crash between the two leaves two copies, hence two jobs: producers
   * that need exactly once set {@code id}, {@code message_id} or an idempotency key (BROKERS.md).
   */
  private void stamp(Envelope env, JobMessage message, byte[] body, int deliveries) {
    long now = System.currentTimeMillis();
    JobId id = JobId.newId(Instant.ofEpochMilli(now));
    try {
      transport
          .publisher()
          .publish(
              java.util.List.of(
                  new RabbitPublisher.Out(
                      names.work(), transport.props(message.withId(id), deliveries, now), body)));
      getChannel().basicAck(env.getDeliveryTag(), false);
    } catch (IOException | RuntimeException e) {
      log.warn(
          "could not give an id-less message of '{}' an id ({}); it will come back",
          names.queue(),
          e.toString());
    }
  }

  void park(RabbitDelivery d, String reason) throws IOException {
    transport
        .publisher()
        .publish(
            java.util.List.of(
                new RabbitPublisher.Out(
                    names.dead(), deadProps(reason, d.deliveryCount()), d.body())));
    getChannel().basicAck(d.tag(), false);
  }

  private void parkRaw(
      Envelope env, AMQP.BasicProperties props, byte[] body, String reason, int deliveries) {
    log.warn("parking a message of queue '{}' in its dead-letter queue: {}", names.queue(), reason);
    try {
      transport
          .publisher()
          .publish(
              java.util.List.of(
                  new RabbitPublisher.Out(names.dead(), deadProps(reason, deliveries), body)));
      getChannel().basicAck(env.getDeliveryTag(), false);
    } catch (IOException | RuntimeException e) {
      log.warn("could not park it ({}); it stays in the queue", e.toString());
    }
  }

  private static AMQP.BasicProperties deadProps(String reason, int deliveries) {
    return new AMQP.BasicProperties.Builder()
        .contentType("application/json")
        .deliveryMode(2)
        .headers(
            Map.of(
                RabbitTransport.REASON,
                reason.length() > 1000 ? reason.substring(0, 1000) : reason,
                RabbitTransport.DELIVERIES,
                deliveries))
        .build();
  }

  private static int intHeader(Map<String, Object> h, String name) {
    return h != null && h.get(name) instanceof Number n ? n.intValue() : 0;
  }

  void settled(RabbitDelivery d) {
    unsettled.remove(d);
  }

  /** The channel went down: the broker holds every unacked message again. */
  private void dropAll() {
    generation.incrementAndGet();
    for (RabbitDelivery d : Set.copyOf(unsettled)) {
      d.abandon();
    }
  }

  void close() {
    closed = true;
    try {
      getChannel().basicCancel(tag);
    } catch (IOException | RuntimeException e) {
      log.debug("basic.cancel failed; closing the channel ends the consumer anyway", e);
    }
    dropAll();
    try {
      getChannel().close(); // the broker puts every unacked message back at once
    } catch (IOException | TimeoutException | RuntimeException e) {
      log.debug(
          "channel close failed; the broker takes the messages back when the connection ends", e);
    }
  }

  int credit() {
    return credit;
  }
}
