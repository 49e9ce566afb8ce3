package dev.offload.internal;

import dev.offload.Job;
import dev.offload.JobEvent;
import dev.offload.JobId;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fans job changes out to subscribers and wakes callers waiting for a job to end. A throwing
 * listener is logged and kept: one bad subscriber must not stop the engine.
 */
final class EventHub {
  private static final Logger log = LoggerFactory.getLogger(EventHub.class);

  private final List<Consumer<JobEvent>> listeners = new CopyOnWriteArrayList<>();
  private final ConcurrentHashMap<JobId, Waiter> waiters = new ConcurrentHashMap<>();

  /**
   * Keeps each job's events in the order the store changed it, without holding any lock across a
   * store write: a worker may claim and start a job between another thread's store write and that
   * thread's publish (a submit, or a retry's completion under a loaded CPU), and its "running"
   * event must not overtake the "queued"/"scheduled" one. Per job, a reorder buffer: a writer
   * reserves a place before it writes ({@link #writing}) and fills it after ({@link Writes#done});
   * events from other threads queue behind open places ({@link #publishInOrder}); the buffer
   * publishes from its head as places fill.
   */
  private final ConcurrentHashMap<JobId, ArrayDeque<Slot>> unpublished = new ConcurrentHashMap<>();

  /** One place in a job's buffer; guarded by the map's lock on that job. */
  private static final class Slot {
    JobEvent event;
    boolean ready;

    Slot(JobEvent event, boolean ready) {
      this.event = event;
      this.ready = ready;
    }
  }

  /** The places one writer reserved, one per job of its write. */
  final class Writes {
    private final List<JobId> ids;
    private final Slot[] slots;

    private Writes(List<JobId> ids, Slot[] slots) {
      this.ids = ids;
      this.slots = slots;
    }

    /** The write of job {@code i} is done: {@code after} as written, or {@code null} if none. */
    void done(int i, Job after, Instant at) {
      Slot slot = slots == null ? null : slots[i];
      if (slot == null) {
        if (after != null) {
          publish(after, at);
        }
        return;
      }
      JobEvent event = after == null ? null : JobEvent.of(after, at);
      unpublished.computeIfPresent(
          ids.get(i),
          (k, queue) -> {
            slot.event = event;
            slot.ready = true;
            return drain(queue);
          });
    }
  }

  /** Reserves a place for each job this thread is about to write. */
  Writes writing(List<JobId> ids) {
    if (listeners.isEmpty()) {
      return new Writes(ids, null);
    }
    Slot[] slots = new Slot[ids.size()];
    for (int i = 0; i < ids.size(); i++) {
      Slot slot = new Slot(null, false);
      slots[i] = slot;
      unpublished.compute(
          ids.get(i),
          (k, queue) -> {
            ArrayDeque<Slot> q = queue != null ? queue : new ArrayDeque<>(2);
            q.add(slot);
            return q;
          });
    }
    return new Writes(ids, slots);
  }

  /** Publishes an event of a job this thread did not write, after any write being published. */
  void publishInOrder(JobEvent event) {
    boolean[] queued = {false};
    unpublished.computeIfPresent(
        event.id(),
        (k, queue) -> {
          queue.add(new Slot(event, true));
          queued[0] = true;
          return drain(queue);
        });
    if (!queued[0]) {
      publish(event);
    }
  }

  /** Publishes the ready head of a buffer; returns it, or {@code null} once it is empty. */
  private ArrayDeque<Slot> drain(ArrayDeque<Slot> queue) {
    while (!queue.isEmpty() && queue.peekFirst().ready) {
      JobEvent e = queue.pollFirst().event;
      if (e != null) {
        publish(e);
      }
    }
    return queue.isEmpty() ? null : queue;
  }

  AutoCloseable subscribe(Consumer<JobEvent> listener) {
    listeners.add(listener);
    return () -> listeners.remove(listener);
  }

  void publish(Job job, Instant at) {
    // Bulk submits publish one event per job: skip building it when nobody would see it.
    if (listeners.isEmpty() && waiters.isEmpty() && !log.isDebugEnabled()) {
      return;
    }
    publish(JobEvent.of(job, at));
  }

  void publish(JobEvent event) {
    if (log.isDebugEnabled()) {
      log.debug(
          "job {} task={} queue={} attempt={} -> {}",
          event.id(),
          event.task(),
          event.queue(),
          event.attempt(),
          event.state().wireName());
    }
    for (Consumer<JobEvent> listener : listeners) {
      try {
        listener.accept(event);
      } catch (RuntimeException e) {
        log.warn("job event listener failed on {}", event, e);
      }
    }
    if (event.state().isTerminal()) {
      Waiter waiter = waiters.get(event.id());
      if (waiter != null) {
        waiter.signal();
      }
    }
  }

  /**
   * Registers interest in {@code id} ending. Register before checking the store, then {@link
   * Waiter#await} between checks: an end published after the check is never missed.
   */
  Waiter waiter(JobId id) {
    return waiters.compute(
        id,
        (k, w) -> {
          Waiter result = w != null ? w : new Waiter();
          result.users++;
          return result;
        });
  }

  void release(JobId id) {
    waiters.computeIfPresent(id, (k, w) -> --w.users == 0 ? null : w);
  }

  /** A wake-up counter for one job; guarded by itself. */
  static final class Waiter {
    private int users;
    private long signals;

    synchronized long signals() {
      return signals;
    }

    synchronized void signal() {
      signals++;
      notifyAll();
    }

    /** Waits until signalled after {@code seen} or {@code millis} pass. */
    synchronized void await(long seen, long millis) throws InterruptedException {
      long deadline = System.nanoTime() + millis * 1_000_000L;
      while (signals == seen) {
        long left = (deadline - System.nanoTime()) / 1_000_000L;
        if (left <= 0) {
          return;
        }
        wait(left);
      }
    }
  }
}
