package dev.offload.transport.tck;

import dev.offload.JobId;
import dev.offload.spi.Delivery;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * A delivery handler for tests: keeps every delivery in arrival order, optionally acks at once, and
 * tracks the most deliveries it ever held unsettled at the same time.
 */
public final class Recorder implements Consumer<Delivery> {
  private final boolean autoAck;
  private final List<Delivery> all = new ArrayList<>();
  private final List<Delivery> held = new ArrayList<>();
  private final AtomicInteger maxHeld = new AtomicInteger();

  private Recorder(boolean autoAck) {
    this.autoAck = autoAck;
  }

  /** Acks every delivery as it arrives. */
  public static Recorder acking() {
    return new Recorder(true);
  }

  /** Holds every delivery until the test settles it. */
  public static Recorder holding() {
    return new Recorder(false);
  }

  @Override
  public void accept(Delivery d) {
    synchronized (this) {
      all.add(d);
      if (!autoAck) {
        held.add(d);
        maxHeld.accumulateAndGet(held.size(), Math::max);
      }
    }
    if (autoAck) {
      d.ack();
    }
  }

  public synchronized int count() {
    return all.size();
  }

  public synchronized List<Delivery> deliveries() {
    return List.copyOf(all);
  }

  public synchronized List<JobId> ids() {
    return all.stream().map(Delivery::jobId).toList();
  }

  /** Deliveries received and not yet settled through {@link #ackOne()} / {@link #settleAll}. */
  public synchronized List<Delivery> held() {
    return List.copyOf(held);
  }

  public int maxHeld() {
    return maxHeld.get();
  }

  /** Acks the oldest held delivery. */
  public void ackOne() {
    Delivery d;
    synchronized (this) {
      d = held.remove(0);
    }
    d.ack();
  }

  /** Nacks every held delivery with {@code delay}. */
  public void nackAll(Duration delay) {
    for (Delivery d : takeHeld()) {
      d.nack(delay);
    }
  }

  public void ackAll() {
    for (Delivery d : takeHeld()) {
      d.ack();
    }
  }

  private synchronized List<Delivery> takeHeld() {
    List<Delivery> copy = new ArrayList<>(held);
    held.clear();
    return copy;
  }
}
