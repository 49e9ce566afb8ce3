package dev.offload.broker.kafka;

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
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Kafka transport: a topic per queue (key = job id, so a queue spreads over its partitions), one
 * consumer group for the workers, manual commits that never pass an unfinished job. A retry goes to
 * the queue's {@code .retry} topic with the time it is due; consumers read that topic ahead, hold
 * each record until due and deliver it then, so retries need no topic per delay and a short one
 * never waits behind a long one. Parked messages go to the {@code .dlq} topic.
 */
final class KafkaTransport implements JobTransport {
  static final String PUBLISHED = "offload-published";
  static final String DELIVERIES = "offload-deliveries";
  static final String DUE = "offload-due";
  static final String JOB_ID = "offload-job-id";
  static final String REASON = "offload-reason";
  private static final long CALL_MILLIS = 15_000;

  private final BrokerUrl url;
  private final String prefix;
  private final int maxDeliveries;
  private final Duration ackTimeout;
  private final int partitions;
  private final short replication;
  private final String group;
  private final Duration sessionTimeout;
  private final Duration rebalanceWait;
  private final Admin admin;
  private final KafkaProducer<String, byte[]> producer;
  private final Set<String> declared = ConcurrentHashMap.newKeySet();
  private final List<KafkaQueueConsumer> consumers = new CopyOnWriteArrayList<>();

  private KafkaTransport(BrokerUrl url) {
    this.url = url;
    this.prefix = url.prefix();
    this.maxDeliveries = url.maxDeliveries();
    this.ackTimeout = url.ackTimeout();
    this.partitions = url.intOption("partitions", 6, 1, 10_000);
    this.replication = (short) url.intOption("replication", 1, 1, 32);
    this.group = url.option("group").orElse(prefix + "-workers");
    this.sessionTimeout = url.durationOption("session-timeout", Duration.ofSeconds(10));
    this.rebalanceWait = url.durationOption("rebalance-wait", Duration.ofSeconds(30));
    Properties a = new Properties();
    a.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap());
    a.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
    a.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) CALL_MILLIS);
    this.admin = Admin.create(a);
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap());
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    // Not idempotent: a retried batch may be stored twice, which is harmless (the job id dedupes in
    // the store), while an idempotent producer that meets NOT_LEADER_OR_FOLLOWER on a just-created
    // topic was seen to stall on OutOfOrderSequence until its delivery timeout (Kafka 4.4, one
    // node).
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, false);
    p.put(ProducerConfig.LINGER_MS_CONFIG, 1);
    p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 30_000);
    p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    this.producer = new KafkaProducer<>(p);
  }

  static KafkaTransport open(String text) {
    BrokerUrl url =
        BrokerUrl.parse(text)
            .requireKnownOptions(
                Set.of("partitions", "replication", "group", "session-timeout", "rebalance-wait"));
    KafkaTransport t = new KafkaTransport(url);
    try {
      t.admin.describeCluster().nodes().get(CALL_MILLIS, TimeUnit.MILLISECONDS);
      return t;
    } catch (ExecutionException | TimeoutException e) {
      t.close();
      throw new BrokerException("cannot reach Kafka at " + url.display() + ": " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      t.close();
      throw new BrokerException("interrupted while connecting to " + url.display(), e);
    }
  }

  String bootstrap() {
    return String.join(",", url.hosts());
  }

  @Override
  public String describe() {
    return url.display();
  }

  @Override
  public TransportCapabilities capabilities() {
    return new TransportCapabilities(false, partitions == 1, false, false, false);
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

  String group() {
    return group;
  }

  Duration sessionTimeout() {
    return sessionTimeout;
  }

  Duration rebalanceWait() {
    return rebalanceWait;
  }

  KafkaNames names(String queue) {
    return new KafkaNames(prefix, queue);
  }

  /** Creates the queue's three topics if missing. */
  void declare(String queue) {
    if (declared.contains(queue)) {
      return;
    }
    KafkaNames n = names(queue);
    List<NewTopic> topics =
        List.of(
            new NewTopic(n.main(), partitions, replication),
            new NewTopic(n.retry(), partitions, replication),
            new NewTopic(n.dead(), 1, replication));
    for (var f : admin.createTopics(topics).values().values()) {
      try {
        f.get(CALL_MILLIS, TimeUnit.MILLISECONDS);
      } catch (ExecutionException e) {
        if (!(e.getCause() instanceof TopicExistsException)) {
          throw new BrokerException(
              "cannot create the topics of '"
                  + queue
                  + "' on "
                  + url.display()
                  + ": "
                  + e.getCause(),
              e);
        }
      } catch (TimeoutException e) {
        throw new BrokerException("Kafka did not create the topics of '" + queue + "' in time", e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new BrokerException("interrupted", e);
      }
    }
    awaitLeaders(queue, List.of(n.main(), n.retry(), n.dead()));
    declared.add(queue);
  }

  /**
   * Waits until every partition of new topics has a leader and the producer knows it: a first
   * produce right after creation otherwise meets NOT_LEADER_OR_FOLLOWER while the broker applies
   * the new metadata, and a producer that keeps meeting it can stall a batch until its delivery
   * timeout.
   */
  private void awaitLeaders(String queue, List<String> names) {
    long deadline = System.currentTimeMillis() + CALL_MILLIS;
    try {
      while (true) {
        Map<String, TopicDescription> d;
        try {
          d = admin.describeTopics(names).allTopicNames().get(CALL_MILLIS, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
          if (!(e.getCause() instanceof UnknownTopicOrPartitionException)) {
            throw e;
          }
          d = Map.of("", new TopicDescription("", false, List.of())); // not visible yet
        }
        boolean ready =
            d.size() == names.size()
                && d.values().stream()
                    .allMatch(t ->
                        t.partitions().stream()
                            .allMatch(p -> p.leader() != null && !p.leader().isEmpty()));
        if (ready) {
          for (String name : names) {
            producer.partitionsFor(name);
          }
          return;
        }
        if (System.currentTimeMillis() > deadline) {
          throw new BrokerException(
              "the topics of '" + queue + "' have no leader after " + CALL_MILLIS + " ms");
        }
        Thread.sleep(20);
      }
    } catch (ExecutionException | TimeoutException e) {
      throw new BrokerException("cannot describe the topics of '" + queue + "': " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new BrokerException("interrupted", e);
    }
  }

  @Override
  public void publish(List<JobMessage> messages) {
    List<Future<RecordMetadata>> sent = new ArrayList<>(messages.size());
    for (JobMessage m : messages) {
      if (m.id() == null) {
        throw new InvalidInputException(
            "id", "a published job message needs an id (its record key)");
      }
      declare(m.queue());
    }
    long now = System.currentTimeMillis();
    for (JobMessage m : messages) {
      Headers h = new RecordHeaders();
      h.add(PUBLISHED, Long.toString(now).getBytes(StandardCharsets.UTF_8));
      sent.add(
          producer.send(
              new ProducerRecord<>(
                  names(m.queue()).main(), null, now, m.id().toString(), m.toJson(), h)));
    }
    await(sent, "publish " + messages.size() + " message(s)");
  }

  /** Sends one record and waits for Kafka to take it (acks=all). */
  void sendAndWait(String topic, String key, byte[] body, Headers headers, String what) {
    await(
        List.of(producer.send(new ProducerRecord<>(topic, null, null, key, body, headers))), what);
  }

  private void await(List<Future<RecordMetadata>> sent, String what) {
    for (Future<RecordMetadata> f : sent) {
      try {
        f.get(CALL_MILLIS * 4, TimeUnit.MILLISECONDS);
      } catch (ExecutionException | TimeoutException e) {
        throw new BrokerException(
            "Kafka at " + url.display() + " did not take " + what + ": " + e, e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new BrokerException("interrupted while waiting to " + what, e);
      }
    }
  }

  static String header(Headers headers, String name) {
    Header h = headers.lastHeader(name);
    return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
  }

  @Override
  public TransportConsumer consume(ConsumeRequest request, Consumer<Delivery> handler) {
    request.queues().forEach(this::declare);
    KafkaQueueConsumer c = new KafkaQueueConsumer(this, request, handler, consumers::remove);
    consumers.add(c);
    c.start();
    return c;
  }

  Properties consumerProperties() {
    Properties c = new Properties();
    c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap());
    c.put(ConsumerConfig.GROUP_ID_CONFIG, group);
    c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    c.put(
        ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG,
        org.apache.kafka.clients.consumer.CooperativeStickyAssignor.class.getName());
    c.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, (int) sessionTimeout.toMillis());
    c.put(
        ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG,
        (int) Math.max(100, sessionTimeout.toMillis() / 3));
    c.put(
        ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG,
        (int) Math.max(300_000, rebalanceWait.toMillis() * 2));
    c.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 500);
    c.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    c.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    return c;
  }

  @Override
  public long lag(String queue) {
    KafkaNames n = names(queue);
    try {
      Map<String, TopicDescription> topics =
          admin
              .describeTopics(List.of(n.main(), n.retry()))
              .allTopicNames()
              .get(CALL_MILLIS, TimeUnit.MILLISECONDS);
      Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
      Map<TopicPartition, OffsetSpec> earliest = new HashMap<>();
      topics.forEach((name, d) ->
          d.partitions()
              .forEach(p -> {
                latest.put(new TopicPartition(name, p.partition()), OffsetSpec.latest());
                earliest.put(new TopicPartition(name, p.partition()), OffsetSpec.earliest());
              }));
      var ends = admin.listOffsets(latest).all().get(CALL_MILLIS, TimeUnit.MILLISECONDS);
      var starts = admin.listOffsets(earliest).all().get(CALL_MILLIS, TimeUnit.MILLISECONDS);
      Map<TopicPartition, OffsetAndMetadata> committed =
          admin
              .listConsumerGroupOffsets(group)
              .partitionsToOffsetAndMetadata()
              .get(CALL_MILLIS, TimeUnit.MILLISECONDS);
      long lag = 0;
      for (TopicPartition tp : latest.keySet()) {
        OffsetAndMetadata c = committed.get(tp);
        long from = c != null ? c.offset() : starts.get(tp).offset();
        lag += Math.max(0, ends.get(tp).offset() - from);
      }
      return lag;
    } catch (ExecutionException e) {
      if (e.getCause() instanceof UnknownTopicOrPartitionException) {
        return 0;
      }
      throw new BrokerException(
          "cannot read the lag of '" + queue + "' on " + url.display() + ": " + e.getCause(), e);
    } catch (TimeoutException e) {
      throw new BrokerException("Kafka did not answer for the lag of '" + queue + "' in time", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new BrokerException("interrupted", e);
    }
  }

  @Override
  public List<DeadLetter> deadLetters(String queue, int max) {
    declare(queue);
    TopicPartition tp = new TopicPartition(names(queue).dead(), 0);
    Properties c = consumerProperties();
    c.remove(ConsumerConfig.GROUP_ID_CONFIG);
    c.remove(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG);
    List<DeadLetter> out = new ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> reader = new KafkaConsumer<>(c)) {
      reader.assign(List.of(tp));
      reader.seekToBeginning(List.of(tp));
      long end = reader.endOffsets(List.of(tp)).get(tp);
      long deadline = System.currentTimeMillis() + CALL_MILLIS;
      while (out.size() < max
          && reader.position(tp) < end
          && System.currentTimeMillis() < deadline) {
        for (ConsumerRecord<byte[], byte[]> r : reader.poll(Duration.ofMillis(200))) {
          if (out.size() < max) {
            String deliveries = header(r.headers(), DELIVERIES);
            String reason = header(r.headers(), REASON);
            out.add(
                new DeadLetter(
                    new String(r.value(), StandardCharsets.UTF_8),
                    reason == null ? "" : reason,
                    deliveries == null ? 0 : Integer.parseInt(deliveries)));
          }
        }
      }
    }
    return out;
  }

  @Override
  public void deleteQueue(String queue) {
    KafkaNames n = names(queue);
    try {
      admin
          .deleteTopics(List.of(n.main(), n.retry(), n.dead()))
          .all()
          .get(CALL_MILLIS, TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      if (!(e.getCause() instanceof UnknownTopicOrPartitionException)) {
        throw new BrokerException(
            "cannot delete the topics of '" + queue + "': " + e.getCause(), e);
      }
    } catch (TimeoutException e) {
      throw new BrokerException("Kafka did not delete the topics of '" + queue + "' in time", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new BrokerException("interrupted", e);
    }
    declared.remove(queue);
  }

  @Override
  public boolean isHealthy() {
    try {
      admin.describeCluster().nodes().get(2, TimeUnit.SECONDS);
      return true;
    } catch (ExecutionException | TimeoutException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  @Override
  public void close() {
    for (KafkaQueueConsumer c : List.copyOf(consumers)) {
      c.close();
    }
    producer.close(Duration.ofSeconds(5));
    admin.close(Duration.ofSeconds(5));
  }
}
