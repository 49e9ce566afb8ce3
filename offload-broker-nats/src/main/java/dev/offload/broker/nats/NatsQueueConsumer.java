package dev.offload.broker.nats;

import dev.offload.InvalidInputException;
import dev.offload.spi.BrokerNames;
import dev.offload.spi.Delivery;
import dev.offload.spi.JobMessage;
import io.nats.client.ConsumerContext;
import io.nats.client.FetchConsumeOptions;
import io.nats.client.FetchConsumer;
import io.nats.client.Message;
import io.nats.client.impl.NatsJetStreamMetaData;
import java.time.Instant;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The pull loop of one queue: asks the durable consumer for at most as many messages as it has
 * credit left, so a worker never holds more than its share. A fetch lasts up to a second; messages
 * published meanwhile arrive in it as they come.
 */
final class NatsQueueConsumer {
  private static final Logger log = LoggerFactory.getLogger(NatsQueueConsumer.class);
  private static final long FETCH_MILLIS = 1000; // the least jnats allows

  private final NatsTransport transport;
  private final NatsNames names;
  private final ConsumerContext context;
  private final int credit;
  private final Semaphore free;
  private final Consumer<Delivery> handler;
  private final Set<NatsDelivery> unsettled = ConcurrentHashMap.newKeySet();
  private volatile boolean closed;
  private Thread thread;

  NatsQueueConsumer(
      NatsTransport transport,
      NatsNames names,
      ConsumerContext context,
      int credit,
      Consumer<Delivery> handler) {
    this.transport = transport;
    this.names = names;
    this.context = context;
    this.credit = credit;
    this.free = new Semaphore(credit);
    this.handler = handler;
  }

  void start() {
    thread = Thread.ofPlatform().daemon().name("offload-nats-" + names.safe()).start(this::loop);
  }

  int unsettled() {
    return credit - free.availablePermits();
  }

  int maxDeliveries() {
    return transport.maxDeliveries();
  }

  boolean isClosed() {
    return closed;
  }

  private void loop() {
    while (!closed) {
      try {
        free.acquire();
        int n = 1 + free.drainPermits();
        int used = 0;
        try (FetchConsumer fetch =
            context.fetch(
                FetchConsumeOptions.builder().maxMessages(n).expiresIn(FETCH_MILLIS).build())) {
          Message m;
          while (!closed && (m = fetch.nextMessage()) != null) {
            if (receive(m)) {
              used++;
            }
          }
        } finally {
          free.release(n - used);
        }
      } catch (InterruptedException e) {
        return;
      } catch (Exception e) {
        if (closed) {
          return;
        }
        log.warn("NATS fetch on {} failed (retrying): {}", names.stream(), e.toString());
        sleepQuietly();
      }
    }
  }

  /** Hands one message on; returns whether it took credit (a parked message does not). */
  private boolean receive(Message m) {
    NatsJetStreamMetaData meta = m.metaData();
    Instant published = meta.timestamp().toInstant();
    int count = (int) meta.deliveredCount();
    String coordinates = names.stream() + ":" + meta.streamSequence();
    JobMessage message;
    try {
      message = JobMessage.fromJson(m.getData(), names.queue(), published);
    } catch (InvalidInputException e) {
      parkQuietly(m, "invalid message: " + e.getMessage(), count, coordinates);
      return false;
    }
    if (message.id() == null) {
      message = message.withId(BrokerNames.derivedJobId(published, coordinates));
    }
    if (count > transport.maxDeliveries()) {
      parkQuietly(
          m,
          "delivered " + (count - 1) + " times (max-deliveries=" + transport.maxDeliveries() + ")",
          count - 1,
          coordinates);
      return false;
    }
    NatsDelivery d = new NatsDelivery(this, m, message, count, published, coordinates);
    unsettled.add(d);
    try {
      handler.accept(d);
    } catch (RuntimeException e) {
      log.error("delivery handler failed on job {}; the message will be redelivered", d.jobId(), e);
    }
    return true;
  }

  private void parkQuietly(Message m, String reason, int deliveries, String coordinates) {
    log.warn(
        "parking a message of queue '{}' in its dead-letter stream: {}", names.queue(), reason);
    try {
      transport.park(names, m.getData(), reason, deliveries, coordinates);
      m.ack();
    } catch (RuntimeException e) {
      log.warn("could not park it ({}); NATS will redeliver it", e.toString());
    }
  }

  void park(NatsDelivery d, String reason) {
    transport.park(names, d.raw().getData(), reason, d.deliveryCount(), d.coordinates());
    d.raw().ack();
  }

  void settled(NatsDelivery d) {
    if (unsettled.remove(d)) {
      free.release();
    }
  }

  void close() {
    closed = true;
    if (thread != null) {
      thread.interrupt();
      try {
        thread.join(5_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    for (NatsDelivery d : Set.copyOf(unsettled)) {
      if (d.abandon()) {
        try {
          d.raw().nak(); // back to the stream at once, not after AckWait
        } catch (RuntimeException e) {
          log.debug("nak at close failed; AckWait will hand it out again", e);
        }
      }
    }
  }

  private static void sleepQuietly() {
    try {
      Thread.sleep(250);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
