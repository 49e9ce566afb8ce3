package dev.offload.broker.nats;

import dev.offload.InvalidInputException;
import dev.offload.spi.BrokerNames;
import dev.offload.spi.Delivery;
import dev.offload.spi.JobMessage;
import io.nats.client.JetStreamSubscription;
import io.nats.client.Message;
import io.nats.client.impl.NatsJetStreamMetaData;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The pull loop of one queue: asks the durable consumer for at most as many messages as it has
 * credit left, so a worker never holds more than its share.
 */
final class NatsQueueConsumer {
  private static final Logger log = LoggerFactory.getLogger(NatsQueueConsumer.class);
  private static final long PULL_MILLIS = 1000;

  private final NatsTransport transport;
  private final NatsNames names;
  private final JetStreamSubscription subscription;
  private final int credit;
  private final Semaphore free;
  private final Consumer<Delivery> handler;
  private final Set<NatsDelivery> unsettled = ConcurrentHashMap.newKeySet();
  private volatile boolean closed;
  private Thread thread;

  NatsQueueConsumer(
      NatsTransport transport,
      NatsNames names,
      JetStreamSubscription subscription,
      int credit,
      Consumer<Delivery> handler) {
    this.transport = transport;
    this.names = names;
    this.subscription = subscription;
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

  /**
   * One long-lived pull subscription, and pull requests for at most the free credit, each expiring
   * after a second. The subscription outlives its requests on purpose: a message the server sends
   * as a request expires still reaches it (a fetch that closed its subscription would drop it, and
   * the message would wait out the whole ack timeout). A message beyond the credit (such a late one
   * after the credit was handed out again) is nak'ed at once, so the bound holds.
   */
  private void loop() {
    int requested = 0;
    long requestEnds = 0;
    while (!closed) {
      try {
        long now = System.currentTimeMillis();
        if (now >= requestEnds) {
          free.release(requested); // what the expired request did not bring
          requested = 0;
          int n = free.drainPermits();
          if (n == 0 && free.tryAcquire(100, TimeUnit.MILLISECONDS)) {
            n = 1 + free.drainPermits();
          }
          if (n > 0) {
            subscription.pullExpiresIn(n, Duration.ofMillis(PULL_MILLIS));
            requested = n;
            requestEnds = now + PULL_MILLIS + 100;
          }
        }
        Message m =
            subscription.nextMessage(
                Duration.ofMillis(Math.max(1, Math.min(100, requestEnds - now))));
        if (m == null || !m.isJetStream()) {
          continue;
        }
        boolean permitted;
        if (requested > 0) {
          requested--; // its permit was taken with the request
          permitted = true;
          if (requested == 0) {
            requestEnds = 0; // the request is complete: pull again as soon as there is credit
          }
        } else {
          permitted = free.tryAcquire(); // late for an expired request
        }
        if (!permitted) {
          m.nak(); // beyond the credit: straight back to the stream for another worker
          continue;
        }
        if (!receive(m)) {
          free.release(); // parked: it took no credit
        }
      } catch (InterruptedException e) {
        return;
      } catch (Exception e) {
        if (closed) {
          return;
        }
        log.warn("NATS pull on {} failed (retrying): {}", names.stream(), e.toString());
        free.release(requested);
        requested = 0;
        requestEnds = 0;
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
    try {
      subscription.unsubscribe();
    } catch (RuntimeException e) {
      log.debug("unsubscribe failed; the connection closes it", e);
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
