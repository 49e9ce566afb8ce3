package dev.offload.broker.nats;

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
import io.nats.client.Connection;
import io.nats.client.JetStream;
import io.nats.client.JetStreamApiException;
import io.nats.client.JetStreamManagement;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.nats.client.PublishOptions;
import io.nats.client.PullSubscribeOptions;
import io.nats.client.api.AckPolicy;
import io.nats.client.api.ConsumerConfiguration;
import io.nats.client.api.ConsumerInfo;
import io.nats.client.api.DeliverPolicy;
import io.nats.client.api.MessageInfo;
import io.nats.client.api.PublishAck;
import io.nats.client.api.RetentionPolicy;
import io.nats.client.api.StorageType;
import io.nats.client.api.StreamConfiguration;
import io.nats.client.api.StreamInfo;
import io.nats.client.impl.Headers;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * NATS JetStream transport. Each queue is a work-queue stream (a message is gone once acked) with
 * one durable pull consumer shared by every worker; a worker pulls only as many messages as it has
 * credit for. {@code AckWait} is the ack timeout, {@code MaxDeliver} one more than the delivery
 * limit (the transport parks a message that comes back once more), {@code Nats-Msg-Id} the job id.
 */
final class NatsTransport implements JobTransport {
  static final String REASON = "Offload-Reason";
  static final String DELIVERIES = "Offload-Deliveries";
  private static final Duration CALL_TIMEOUT = Duration.ofSeconds(10);

  private final BrokerUrl url;
  private final String prefix;
  private final int maxDeliveries;
  private final Duration ackTimeout;
  private final Connection connection;
  private final JetStream js;
  private final JetStreamManagement jsm;
  private final Set<String> declared = ConcurrentHashMap.newKeySet();
  private final List<NatsConsumer> consumers = new CopyOnWriteArrayList<>();

  private NatsTransport(BrokerUrl url, Connection connection) throws IOException {
    this.url = url;
    this.prefix = url.prefix();
    this.maxDeliveries = url.maxDeliveries();
    this.ackTimeout = url.ackTimeout();
    this.connection = connection;
    this.js = connection.jetStream();
    this.jsm = connection.jetStreamManagement();
  }

  static NatsTransport open(String text) {
    BrokerUrl url = BrokerUrl.parse(text).requireKnownOptions(Set.of());
    url.prefix();
    url.maxDeliveries();
    url.ackTimeout();
    Options.Builder options =
        Options.builder()
            .connectionName("offload")
            .connectionTimeout(Duration.ofSeconds(5))
            .maxReconnects(-1)
            .reconnectWait(Duration.ofMillis(250))
            .errorListener(new NatsLogListener());
    for (String host : url.hosts()) {
      options.server(url.scheme() + "://" + host);
    }
    if (url.user() != null) {
      options.userInfo(url.user(), url.password() == null ? "" : url.password());
    }
    try {
      Connection c = Nats.connect(options.build());
      try {
        NatsTransport t = new NatsTransport(url, c);
        t.jsm.getAccountStatistics(); // fails now, not at the first publish, without JetStream
        return t;
      } catch (IOException | JetStreamApiException | RuntimeException e) {
        c.close();
        throw e;
      }
    } catch (IOException | JetStreamApiException e) {
      throw new BrokerException(
          "cannot reach NATS JetStream at " + url.display() + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new BrokerException("interrupted while connecting to " + url.display(), e);
    }
  }

  @Override
  public String describe() {
    return url.display();
  }

  @Override
  public TransportCapabilities capabilities() {
    return new TransportCapabilities(false, true, true, true, true);
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

  NatsNames names(String queue) {
    return new NatsNames(prefix, queue);
  }

  /** Creates the queue's streams and consumer if missing (idempotent; remembered per process). */
  void declare(String queue) {
    if (declared.contains(queue)) {
      return;
    }
    NatsNames n = names(queue);
    try {
      ensureStream(n.stream(), n.subject(), RetentionPolicy.WorkQueue);
      ensureStream(n.deadStream(), n.deadSubject(), RetentionPolicy.Limits);
      jsm.addOrUpdateConsumer(
          n.stream(),
          ConsumerConfiguration.builder()
              .durable(NatsNames.CONSUMER)
              .filterSubject(n.subject())
              .ackPolicy(AckPolicy.Explicit)
              .deliverPolicy(DeliverPolicy.All)
              .ackWait(ackTimeout)
              .maxDeliver(maxDeliveries + 1L)
              .maxAckPending(100_000)
              .build());
      declared.add(queue);
    } catch (IOException | JetStreamApiException e) {
      throw new BrokerException(
          "cannot declare queue '" + queue + "' on " + url.display() + ": " + e.getMessage(), e);
    }
  }

  private void ensureStream(String name, String subject, RetentionPolicy retention)
      throws IOException, JetStreamApiException {
    try {
      jsm.getStreamInfo(name);
    } catch (JetStreamApiException e) {
      if (e.getApiErrorCode() != 10059) { // stream not found
        throw e;
      }
      try {
        jsm.addStream(
            StreamConfiguration.builder()
                .name(name)
                .subjects(subject)
                .retentionPolicy(retention)
                .storageType(StorageType.File)
                .duplicateWindow(Duration.ofMinutes(2))
                .build());
      } catch (JetStreamApiException raced) {
        if (raced.getApiErrorCode() != 10058) { // created by another process meanwhile
          throw raced;
        }
      }
    }
  }

  @Override
  public void publish(List<JobMessage> messages) {
    List<CompletableFuture<PublishAck>> acks = new ArrayList<>(messages.size());
    for (JobMessage m : messages) {
      if (m.id() == null) {
        throw new InvalidInputException(
            "id", "a published job message needs an id (its de-duplication id)");
      }
      declare(m.queue());
    }
    for (JobMessage m : messages) {
      acks.add(
          js.publishAsync(
              names(m.queue()).subject(),
              null,
              m.toJson(),
              PublishOptions.builder().messageId(m.id().toString()).build()));
    }
    for (int i = 0; i < acks.size(); i++) {
      try {
        acks.get(i).get(CALL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      } catch (ExecutionException | TimeoutException e) {
        throw new BrokerException(
            "NATS did not confirm job "
                + messages.get(i).id()
                + " on "
                + url.display()
                + ": "
                + e.getMessage(),
            e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new BrokerException("interrupted while publishing to " + url.display(), e);
      }
    }
  }

  /** Publishes a parked message to the queue's dead-letter stream (confirmed). */
  void park(NatsNames n, byte[] body, String reason, int deliveries, String sourceId) {
    Headers h = new Headers();
    h.put(REASON, reason.length() > 1000 ? reason.substring(0, 1000) : reason);
    h.put(DELIVERIES, Integer.toString(deliveries));
    try {
      js.publish(n.deadSubject(), h, body, PublishOptions.builder().messageId(sourceId).build());
    } catch (IOException | JetStreamApiException e) {
      throw new BrokerException(
          "cannot park a message of '"
              + n.queue()
              + "' on "
              + url.display()
              + ": "
              + e.getMessage(),
          e);
    }
  }

  @Override
  public TransportConsumer consume(ConsumeRequest request, Consumer<Delivery> handler) {
    List<NatsQueueConsumer> parts = new ArrayList<>();
    for (String queue : request.queues()) {
      declare(queue);
      try {
        parts.add(
            new NatsQueueConsumer(
                this,
                names(queue),
                js.subscribe(
                    names(queue).subject(),
                    PullSubscribeOptions.bind(names(queue).stream(), NatsNames.CONSUMER)),
                request.creditPerQueue(),
                handler));
      } catch (IOException | JetStreamApiException e) {
        parts.forEach(NatsQueueConsumer::close);
        throw new BrokerException(
            "cannot consume '" + queue + "' on " + url.display() + ": " + e.getMessage(), e);
      }
    }
    NatsConsumer c = new NatsConsumer(parts, consumers::remove);
    consumers.add(c);
    parts.forEach(NatsQueueConsumer::start);
    return c;
  }

  @Override
  public long lag(String queue) {
    try {
      ConsumerInfo info = jsm.getConsumerInfo(names(queue).stream(), NatsNames.CONSUMER);
      return info.getNumPending() + info.getNumAckPending();
    } catch (JetStreamApiException e) {
      if (e.getApiErrorCode() == 10059 || e.getApiErrorCode() == 10014) { // no stream / consumer
        return 0;
      }
      throw new BrokerException("cannot read the lag of '" + queue + "': " + e.getMessage(), e);
    } catch (IOException e) {
      throw new BrokerException("cannot read the lag of '" + queue + "': " + e.getMessage(), e);
    }
  }

  @Override
  public List<DeadLetter> deadLetters(String queue, int max) {
    List<DeadLetter> out = new ArrayList<>();
    String stream = names(queue).deadStream();
    try {
      StreamInfo info = jsm.getStreamInfo(stream);
      long seq = info.getStreamState().getFirstSequence();
      long last = info.getStreamState().getLastSequence();
      for (; seq <= last && out.size() < max; seq++) {
        MessageInfo m;
        try {
          m = jsm.getMessage(stream, seq);
        } catch (JetStreamApiException gone) {
          continue; // deleted in the middle of the stream
        }
        Headers h = m.getHeaders();
        out.add(
            new DeadLetter(
                new String(m.getData(), StandardCharsets.UTF_8),
                h == null ? "" : h.getFirst(REASON),
                h == null ? 0 : Integer.parseInt(h.getFirst(DELIVERIES))));
      }
      return out;
    } catch (JetStreamApiException e) {
      if (e.getApiErrorCode() == 10059) {
        return out;
      }
      throw new BrokerException(
          "cannot read dead letters of '" + queue + "': " + e.getMessage(), e);
    } catch (IOException e) {
      throw new BrokerException(
          "cannot read dead letters of '" + queue + "': " + e.getMessage(), e);
    }
  }

  @Override
  public void deleteQueue(String queue) {
    NatsNames n = names(queue);
    for (String stream : List.of(n.stream(), n.deadStream())) {
      try {
        jsm.deleteStream(stream);
      } catch (JetStreamApiException e) {
        if (e.getApiErrorCode() != 10059) {
          throw new BrokerException("cannot delete stream " + stream + ": " + e.getMessage(), e);
        }
      } catch (IOException e) {
        throw new BrokerException("cannot delete stream " + stream + ": " + e.getMessage(), e);
      }
    }
    declared.remove(queue);
  }

  @Override
  public boolean isHealthy() {
    return connection.getStatus() == Connection.Status.CONNECTED;
  }

  @Override
  public void close() {
    for (NatsConsumer c : List.copyOf(consumers)) {
      c.close();
    }
    try {
      connection.close();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
