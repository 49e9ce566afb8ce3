package dev.offload.broker.rabbitmq;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.GetResponse;
import com.rabbitmq.client.ShutdownSignalException;
import dev.offload.BrokerException;
import dev.offload.InvalidInputException;
import dev.offload.spi.BrokerUrl;
import dev.offload.spi.ConsumeRequest;
import dev.offload.spi.DeadLetter;
import dev.offload.spi.Delivery;
import dev.offload.spi.JobMessage;
import dev.offload.spi.JobTransport;
import dev.offload.spi.TransportCapabilities;
import dev.offload.spi.TransportConsumer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * RabbitMQ transport: a durable quorum queue per Offload queue (classic with {@code
 * queue-type=classic}, for priorities), persistent messages, publisher confirms, manual acks and
 * {@code basic.qos} set from the worker's credit. A delayed retry goes through a delay queue whose
 * TTL dead-letters it back into the work queue (at-least-once dead-lettering); parked messages go
 * to the {@code .dlq} queue.
 */
final class RabbitTransport implements JobTransport {
  static final String DELIVERIES = "x-offload-deliveries";
  static final String PUBLISHED = "x-offload-published";
  static final String REASON = "x-offload-reason";

  private final BrokerUrl url;
  private final String prefix;
  private final int maxDeliveries;
  private final Duration ackTimeout;
  private final boolean classic;
  private final Connection connection;
  private final RabbitPublisher publisher;
  private final Set<String> declared = ConcurrentHashMap.newKeySet();
  private final List<RabbitConsumer> consumers = new CopyOnWriteArrayList<>();

  private RabbitTransport(BrokerUrl url, boolean classic, Connection connection)
      throws IOException {
    this.url = url;
    this.prefix = url.prefix();
    this.maxDeliveries = url.maxDeliveries();
    this.ackTimeout = url.ackTimeout();
    this.classic = classic;
    this.connection = connection;
    this.publisher = new RabbitPublisher(connection, url.display());
  }

  static RabbitTransport open(String text) {
    BrokerUrl url = BrokerUrl.parse(text).requireKnownOptions(Set.of("queue-type", "heartbeat"));
    url.prefix();
    url.maxDeliveries();
    url.ackTimeout();
    String type = url.option("queue-type").orElse("quorum");
    if (!type.equals("quorum") && !type.equals("classic")) {
      throw new InvalidInputException(
          "queue-type", "expected quorum or classic, was '" + type + "'");
    }
    Duration heartbeat = url.durationOption("heartbeat", Duration.ofSeconds(10));
    ConnectionFactory f = new ConnectionFactory();
    try {
      int q = text.indexOf('?');
      f.setUri(q >= 0 ? text.substring(0, q) : text);
    } catch (Exception e) {
      throw new InvalidInputException(
          "broker", "not an AMQP URI: " + url.display() + " (" + e.getMessage() + ")");
    }
    f.setConnectionTimeout(5_000);
    f.setRequestedHeartbeat((int) Math.max(1, heartbeat.toSeconds()));
    f.setAutomaticRecoveryEnabled(true);
    f.setTopologyRecoveryEnabled(true);
    f.setNetworkRecoveryInterval(500);
    try {
      Connection c = f.newConnection("offload");
      try {
        return new RabbitTransport(url, type.equals("classic"), c);
      } catch (IOException | RuntimeException e) {
        c.abort();
        throw e;
      }
    } catch (IOException | TimeoutException e) {
      throw new BrokerException("cannot reach RabbitMQ at " + url.display() + ": " + e, e);
    }
  }

  @Override
  public String describe() {
    return url.display();
  }

  @Override
  public TransportCapabilities capabilities() {
    // Quorum queues count returned deliveries (x-delivery-count); classic queues have priorities.
    return new TransportCapabilities(classic, true, false, !classic, false);
  }

  @Override
  public String prefix() {
    return prefix;
  }

  @Override
  public int maxDeliveries() {
    return maxDeliveries;
  }

  @Override
  public Duration ackTimeout() {
    return ackTimeout;
  }

  RabbitNames names(String queue) {
    return new RabbitNames(prefix, queue);
  }

  /** Declares the work and dead-letter queues once per process (declaring is idempotent). */
  void declare(String queue) {
    if (declared.contains(queue)) {
      return;
    }
    RabbitNames n = names(queue);
    withChannel(
        ch -> {
          ch.queueDeclare(n.work(), true, false, false, workArgs());
          ch.queueDeclare(
              n.dead(), true, false, false, Map.of("x-queue-type", classic ? "classic" : "quorum"));
          return null;
        },
        "declare queue '" + queue + "'");
    declared.add(queue);
  }

  private Map<String, Object> workArgs() {
    Map<String, Object> args = new HashMap<>();
    if (classic) {
      args.put("x-queue-type", "classic");
      args.put("x-max-priority", 10);
    } else {
      args.put("x-queue-type", "quorum");
    }
    return args;
  }

  /**
   * Declares the delay queue for {@code tier} ms. Declared before every use: a redeclare restarts
   * its {@code x-expires} clock, which is longer than its TTL, so a queue holding a message never
   * expires while unused queues of old delays go away.
   */
  String declareDelay(String queue, long tier) {
    RabbitNames n = names(queue);
    String name = n.delay(tier);
    Map<String, Object> args = new HashMap<>();
    args.put("x-queue-type", "quorum");
    args.put("x-message-ttl", tier);
    args.put("x-expires", tier * 2 + 60_000);
    args.put("x-dead-letter-exchange", "");
    args.put("x-dead-letter-routing-key", n.work());
    args.put("x-dead-letter-strategy", "at-least-once");
    args.put("x-overflow", "reject-publish");
    publisher.declare(name, args);
    return name;
  }

  @Override
  public void publish(List<JobMessage> messages) {
    List<RabbitPublisher.Out> out = new ArrayList<>(messages.size());
    for (JobMessage m : messages) {
      if (m.id() == null) {
        throw new InvalidInputException(
            "id", "a published job message needs an id (its message-id)");
      }
      declare(m.queue());
      out.add(
          new RabbitPublisher.Out(
              names(m.queue()).work(), props(m, 0, System.currentTimeMillis()), m.toJson()));
    }
    publisher.publish(out);
  }

  AMQP.BasicProperties props(JobMessage m, int deliveries, long publishedMillis) {
    Map<String, Object> headers = new HashMap<>();
    headers.put(PUBLISHED, publishedMillis);
    if (deliveries > 0) {
      headers.put(DELIVERIES, deliveries);
    }
    return new AMQP.BasicProperties.Builder()
        .contentType("application/json")
        .deliveryMode(2)
        .messageId(m.id().toString())
        .timestamp(new java.util.Date(publishedMillis))
        .priority(classic ? Math.max(0, Math.min(10, m.priority())) : null)
        .headers(headers)
        .build();
  }

  RabbitPublisher publisher() {
    return publisher;
  }

  @Override
  public TransportConsumer consume(ConsumeRequest request, Consumer<Delivery> handler) {
    List<RabbitQueueConsumer> parts = new ArrayList<>();
    try {
      for (String queue : request.queues()) {
        declare(queue);
        parts.add(
            new RabbitQueueConsumer(
                this, connection, names(queue), request.creditPerQueue(), handler));
      }
    } catch (IOException | RuntimeException e) {
      parts.forEach(RabbitQueueConsumer::close);
      throw e instanceof BrokerException be
          ? be
          : new BrokerException("cannot consume on " + url.display() + ": " + e, e);
    }
    RabbitConsumer c = new RabbitConsumer(parts, consumers::remove);
    consumers.add(c);
    return c;
  }

  @Override
  public long lag(String queue) {
    try (Channel ch = connection.createChannel()) {
      return ch.queueDeclarePassive(names(queue).work()).getMessageCount();
    } catch (IOException e) {
      if (e.getCause() instanceof ShutdownSignalException sse
          && sse.getReason() instanceof AMQP.Channel.Close close
          && close.getReplyCode() == 404) {
        return 0; // no such queue yet
      }
      throw new BrokerException(
          "cannot read the lag of '" + queue + "' on " + url.display() + ": " + e, e);
    } catch (TimeoutException | RuntimeException e) {
      throw new BrokerException(
          "cannot read the lag of '" + queue + "' on " + url.display() + ": " + e, e);
    }
  }

  @Override
  public List<DeadLetter> deadLetters(String queue, int max) {
    declare(queue);
    // basic.get without ack, then closing the channel, puts every message back where it was.
    return withChannel(
        ch -> {
          List<DeadLetter> out = new ArrayList<>();
          GetResponse r;
          while (out.size() < max && (r = ch.basicGet(names(queue).dead(), false)) != null) {
            Map<String, Object> h = r.getProps().getHeaders();
            Object reason = h == null ? null : h.get(REASON);
            Object deliveries = h == null ? null : h.get(DELIVERIES);
            out.add(
                new DeadLetter(
                    new String(r.getBody(), StandardCharsets.UTF_8),
                    reason == null ? "" : reason.toString(),
                    deliveries == null ? 0 : ((Number) deliveries).intValue()));
          }
          return out;
        },
        "read dead letters");
  }

  @Override
  public void deleteQueue(String queue) {
    RabbitNames n = names(queue);
    withChannel(
        ch -> {
          ch.queueDelete(n.work());
          ch.queueDelete(n.dead());
          return null;
        },
        "delete queue '" + queue + "'");
    for (String delay : publisher.declaredDelays(n.work() + ".delay.")) {
      withChannel(ch -> ch.queueDelete(delay), "delete " + delay);
    }
    declared.remove(queue);
  }

  interface ChannelCall<T> {
    T apply(Channel ch) throws IOException;
  }

  <T> T withChannel(ChannelCall<T> call, String what) {
    try (Channel ch = connection.createChannel()) {
      return call.apply(ch);
    } catch (IOException | TimeoutException | RuntimeException e) {
      throw new BrokerException(
          "cannot " + what + " on " + url.display() + ": " + e.getMessage(), e);
    }
  }

  @Override
  public boolean isHealthy() {
    return connection.isOpen();
  }

  @Override
  public void close() {
    for (RabbitConsumer c : List.copyOf(consumers)) {
      c.close();
    }
    publisher.close();
    try {
      connection.close(5_000);
    } catch (IOException | RuntimeException e) {
      connection.abort();
    }
  }
}
