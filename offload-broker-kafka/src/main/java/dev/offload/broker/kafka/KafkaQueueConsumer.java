package dev.offload.broker.kafka;

import dev.offload.InvalidInputException;
import dev.offload.JobId;
import dev.offload.spi.BrokerNames;
import dev.offload.spi.ConsumeRequest;
import dev.offload.spi.Delivery;
import dev.offload.spi.JobMessage;
import dev.offload.spi.TransportConsumer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Kafka group member on its own poll thread (a {@code KafkaConsumer} is single-threaded).
 *
 * <p>Design: back-pressure is pause/resume. While the worker holds its credit of unsettled
 * deliveries every work partition is paused (the thread keeps polling, so the member stays in the
 * group however long a job runs); records read beyond the credit are sought back, not buffered.
 * Settlements arrive from the worker's threads through a queue; the commit per partition is the
 * lowest unfinished offset ({@link OffsetTracker}). Retry records are read ahead into a
 * time-ordered heap and delivered when due. When the group takes a partition away (cooperative
 * sticky: only the partitions that move), the member waits up to {@code rebalance-wait} for that
 * partition's running jobs to finish and commits them, so a long job is not handed to a second
 * worker; what is still running after that is handed over and runs again (the store's fencing keeps
 * the effect single).
 */
final class KafkaQueueConsumer implements TransportConsumer {
  private static final Logger log = LoggerFactory.getLogger(KafkaQueueConsumer.class);
  private static final int MAX_HELD_RETRIES = 10_000;

  record Settled(TopicPartition tp, long offset, int generation) {}

  record Held(long due, ConsumerRecord<byte[], byte[]> record) {}

  private final KafkaTransport transport;
  private final int credit;
  private final Consumer<Delivery> handler;
  private final Consumer<KafkaQueueConsumer> onClose;
  private final Map<String, String> queueOfTopic = new HashMap<>();
  private final Set<String> retryTopics = new HashSet<>();
  private final KafkaConsumer<byte[], byte[]> consumer;
  private final AtomicInteger inFlight = new AtomicInteger();
  private final ConcurrentLinkedQueue<Settled> settled = new ConcurrentLinkedQueue<>();
  private final Map<TopicPartition, Integer> generations = new ConcurrentHashMap<>();
  private final Map<TopicPartition, Set<KafkaDelivery>> live = new ConcurrentHashMap<>();
  // poll thread only:
  private final Map<TopicPartition, OffsetTracker> trackers = new HashMap<>();
  private final PriorityQueue<Held> held =
      new PriorityQueue<>((a, b) -> Long.compare(a.due(), b.due()));
  private final Set<TopicPartition> paused = new HashSet<>();
  private volatile boolean creditFull;
  private volatile boolean closed;
  private Thread thread;

  KafkaQueueConsumer(
      KafkaTransport transport,
      ConsumeRequest request,
      Consumer<Delivery> handler,
      Consumer<KafkaQueueConsumer> onClose) {
    this.transport = transport;
    this.credit = request.maxUnacked();
    this.handler = handler;
    this.onClose = onClose;
    for (String q : request.queues()) {
      KafkaNames n = transport.names(q);
      queueOfTopic.put(n.main(), q);
      queueOfTopic.put(n.retry(), q);
      retryTopics.add(n.retry());
    }
    this.consumer = new KafkaConsumer<>(transport.consumerProperties());
  }

  void start() {
    consumer.subscribe(queueOfTopic.keySet(), new Rebalance());
    thread =
        Thread.ofPlatform().daemon().name("offload-kafka-" + transport.group()).start(this::loop);
  }

  @Override
  public int unsettled() {
    return inFlight.get();
  }

  boolean isClosed() {
    return closed;
  }

  int generation(TopicPartition tp) {
    return generations.getOrDefault(tp, 0);
  }

  KafkaTransport transport() {
    return transport;
  }

  private void loop() {
    try {
      while (!closed) {
        drainSettled();
        deliverDue();
        adjustPauses();
        commit(false, null);
        ConsumerRecords<byte[], byte[]> records;
        try {
          records = consumer.poll(Duration.ofMillis(pollMillis()));
        } catch (WakeupException e) {
          continue;
        }
        for (TopicPartition tp : records.partitions()) {
          handle(tp, records.records(tp));
        }
      }
    } catch (RuntimeException e) {
      if (!closed) {
        log.error(
            "Kafka consumer of group {} stopped; its deliveries will be redelivered",
            transport.group(),
            e);
      }
    } finally {
      try {
        drainSettled();
        commit(true, null);
      } catch (RuntimeException e) {
        log.debug("final commit failed; uncommitted records are redelivered", e);
      }
      consumer.close(CloseOptions.timeout(Duration.ofSeconds(5)));
    }
  }

  private long pollMillis() {
    long wait = 200;
    if (!held.isEmpty() && !creditFull) {
      wait = Math.min(wait, Math.max(0, held.peek().due() - System.currentTimeMillis()));
    }
    return Math.max(1, wait);
  }

  private OffsetTracker tracker(TopicPartition tp) {
    return trackers.computeIfAbsent(tp, k -> new OffsetTracker());
  }

  private void handle(TopicPartition tp, List<ConsumerRecord<byte[], byte[]>> records) {
    boolean retry = retryTopics.contains(tp.topic());
    for (ConsumerRecord<byte[], byte[]> r : records) {
      if (retry) {
        if (held.size() >= MAX_HELD_RETRIES) {
          consumer.seek(tp, r.offset());
          return;
        }
        String due = KafkaTransport.header(r.headers(), KafkaTransport.DUE);
        tracker(tp).opened(r.offset());
        held.add(new Held(due == null ? 0 : Long.parseLong(due), r));
      } else {
        if (inFlight.get() >= credit) {
          consumer.seek(tp, r.offset()); // read again once there is credit
          return;
        }
        deliver(tp, r, false);
      }
    }
  }

  private void deliverDue() {
    long now = System.currentTimeMillis();
    while (!held.isEmpty() && held.peek().due() <= now && inFlight.get() < credit) {
      ConsumerRecord<byte[], byte[]> r = held.poll().record();
      TopicPartition tp = new TopicPartition(r.topic(), r.partition());
      if (trackers.containsKey(tp) && tracker(tp).isOpen(r.offset())) {
        deliver(tp, r, true);
      }
    }
  }

  private void deliver(TopicPartition tp, ConsumerRecord<byte[], byte[]> r, boolean alreadyOpen) {
    String queue = queueOfTopic.get(tp.topic());
    String publishedText = KafkaTransport.header(r.headers(), KafkaTransport.PUBLISHED);
    Instant published =
        Instant.ofEpochMilli(publishedText != null ? Long.parseLong(publishedText) : r.timestamp());
    String previous = KafkaTransport.header(r.headers(), KafkaTransport.DELIVERIES);
    int count = (previous == null ? 0 : Integer.parseInt(previous)) + 1;
    String coordinates = tp.topic() + ":" + tp.partition() + ":" + r.offset();
    JobMessage message;
    try {
      message = JobMessage.fromJson(r.value(), queue, published);
    } catch (InvalidInputException e) {
      park(tp, r, "invalid message: " + e.getMessage(), count, alreadyOpen);
      return;
    }
    if (message.id() == null) {
      String carried = KafkaTransport.header(r.headers(), KafkaTransport.JOB_ID);
      message =
          message.withId(
              carried != null
                  ? JobId.parse(carried)
                  : BrokerNames.derivedJobId(published, coordinates));
    }
    if (count > transport.maxDeliveries()) {
      park(
          tp,
          r,
          "delivered " + (count - 1) + " times (max-deliveries=" + transport.maxDeliveries() + ")",
          count - 1,
          alreadyOpen);
      return;
    }
    if (!alreadyOpen) {
      tracker(tp).opened(r.offset());
    }
    KafkaDelivery d =
        new KafkaDelivery(
            this, tp, r.offset(), generation(tp), message, r.value(), count, published);
    live.computeIfAbsent(tp, k -> ConcurrentHashMap.newKeySet()).add(d);
    inFlight.incrementAndGet();
    try {
      handler.accept(d);
    } catch (RuntimeException e) {
      log.error(
          "delivery handler failed on job {}; it is redelivered after a restart or rebalance",
          d.jobId(),
          e);
    }
  }

  private void park(
      TopicPartition tp,
      ConsumerRecord<byte[], byte[]> r,
      String reason,
      int deliveries,
      boolean open) {
    log.warn("parking a record of {} in the dead-letter topic: {}", tp, reason);
    KafkaNames n = transport.names(queueOfTopic.get(tp.topic()));
    transport.sendAndWait(
        n.dead(), null, r.value(), deadHeaders(reason, deliveries, null), "park a record");
    if (open) {
      tracker(tp).finished(r.offset());
    } else {
      tracker(tp).passed(r.offset());
    }
  }

  static RecordHeaders deadHeaders(String reason, int deliveries, JobId id) {
    RecordHeaders h = new RecordHeaders();
    h.add(
        KafkaTransport.REASON,
        (reason.length() > 1000 ? reason.substring(0, 1000) : reason)
            .getBytes(java.nio.charset.StandardCharsets.UTF_8));
    h.add(
        KafkaTransport.DELIVERIES,
        Integer.toString(deliveries).getBytes(java.nio.charset.StandardCharsets.UTF_8));
    if (id != null) {
      h.add(KafkaTransport.JOB_ID, id.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }
    return h;
  }

  /** Credit back (any thread); wakes a poll that waits with every partition paused. */
  void released() {
    inFlight.decrementAndGet();
    if (creditFull) {
      consumer.wakeup();
    }
  }

  /** The record's broker work is done (any thread): the commit may pass it. */
  void finished(KafkaDelivery d) {
    settled.add(new Settled(d.partition(), d.offset(), d.generation()));
  }

  private void drainSettled() {
    Settled s;
    while ((s = settled.poll()) != null) {
      if (s.generation() == generation(s.tp()) && trackers.containsKey(s.tp())) {
        tracker(s.tp()).finished(s.offset());
      }
      Set<KafkaDelivery> ds = live.get(s.tp());
      if (ds != null) {
        long offset = s.offset();
        ds.removeIf(d -> d.offset() == offset);
      }
    }
  }

  private void adjustPauses() {
    creditFull = inFlight.get() >= credit;
    List<TopicPartition> pause = new ArrayList<>();
    List<TopicPartition> resume = new ArrayList<>();
    for (TopicPartition tp : consumer.assignment()) {
      boolean stop =
          retryTopics.contains(tp.topic()) ? held.size() >= MAX_HELD_RETRIES : creditFull;
      if (stop && paused.add(tp)) {
        pause.add(tp);
      } else if (!stop && paused.remove(tp)) {
        resume.add(tp);
      }
    }
    if (!pause.isEmpty()) {
      consumer.pause(pause);
    }
    if (!resume.isEmpty()) {
      consumer.resume(resume);
    }
  }

  /**
   * Commits what may be committed: all partitions, or only {@code only}; sync on revoke and close.
   */
  private void commit(boolean sync, Collection<TopicPartition> only) {
    Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
    trackers.forEach((tp, t) -> {
      long at = t.toCommit();
      if (at >= 0 && (only == null || only.contains(tp))) {
        offsets.put(tp, new OffsetAndMetadata(at));
      }
    });
    if (offsets.isEmpty()) {
      return;
    }
    if (sync) {
      for (int tries = 0; ; tries++) {
        try {
          consumer.commitSync(offsets, Duration.ofSeconds(10));
          break;
        } catch (WakeupException e) {
          if (tries > 3) {
            throw e;
          }
        }
      }
      offsets.forEach((tp, o) -> tracker(tp).committed(o.offset()));
    } else {
      consumer.commitAsync(
          offsets,
          (done, error) -> {
            if (error == null) {
              done.forEach((tp, o) -> {
                OffsetTracker t = trackers.get(tp);
                if (t != null) {
                  t.committed(o.offset());
                }
              });
            } else {
              log.debug("async commit failed; the next one covers it", error);
            }
          });
    }
  }

  private final class Rebalance implements ConsumerRebalanceListener {
    @Override
    public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
      if (!closed) {
        waitForRunning(partitions);
      }
      drainSettled();
      try {
        commit(true, partitions);
      } catch (RuntimeException e) {
        log.warn(
            "commit on revoke failed; the new owner redelivers from the last commit: {}",
            e.toString());
      }
      drop(partitions);
    }

    @Override
    public void onPartitionsLost(Collection<TopicPartition> partitions) {
      drop(partitions);
    }

    @Override
    public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
      paused.removeAll(partitions); // new assignments start resumed; adjustPauses decides
    }

    private void waitForRunning(Collection<TopicPartition> partitions) {
      long deadline = System.currentTimeMillis() + transport.rebalanceWait().toMillis();
      while (System.currentTimeMillis() < deadline && !closed) {
        drainSettled();
        boolean running =
            partitions.stream().anyMatch(tp -> live.containsKey(tp) && !live.get(tp).isEmpty());
        if (!running) {
          return;
        }
        try {
          Thread.sleep(5);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
      }
    }

    private void drop(Collection<TopicPartition> partitions) {
      for (TopicPartition tp : partitions) {
        generations.merge(tp, 1, Integer::sum);
        trackers.remove(tp);
        paused.remove(tp);
        Set<KafkaDelivery> ds = live.remove(tp);
        if (ds != null) {
          ds.forEach(KafkaDelivery::abandon);
        }
      }
      held.removeIf(
          h -> partitions.contains(new TopicPartition(h.record().topic(), h.record().partition())));
    }
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    consumer.wakeup();
    try {
      thread.join(30_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    live.values().forEach(ds -> ds.forEach(KafkaDelivery::abandon));
    onClose.accept(this);
  }
}
