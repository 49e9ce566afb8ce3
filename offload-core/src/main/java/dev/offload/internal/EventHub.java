package dev.offload.internal;

import dev.offload.Job;
import dev.offload.JobEvent;
import dev.offload.JobId;
import java.time.Instant;
import java.util.ArrayList;
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
   * event must not overtake the "queued"/"scheduled" one. A writer registers the jobs it is about
   * to write ({@link #writing}); events of those jobs from other threads are held ({@link
   * #publishInOrder}) until the writer has published its own ({@link #written}).
   */
  private final ConcurrentHashMap<JobId, Held> unpublished = new ConcurrentHashMap<>();

  /** Events of one job held back while a write of it is being published; guarded by the map. */
  private static final class Held {
    int writers;
    List<JobEvent> events;
  }

  /** Registers jobs this thread is about to write; call {@link #written} for each afterwards. */
  void writing(List<JobId> ids) {
    if (listeners.isEmpty()) {
      return;
    }
    for (JobId id : ids) {
      unpublished.compute(
          id,
          (k, h) -> {
            Held held = h != null ? h : new Held();
            held.writers++;
            return held;
          });
    }
  }

  /**
   * The write of {@code id} registered by {@link #writing} is done: publishes {@code after} (the
   * job as written, or {@code null} if nothing changed), then any events held meanwhile.
   */
  void written(JobId id, Job after, Instant at) {
    Held h = unpublished.get(id);
    if (h == null) {
      if (after != null) {
        publish(after, at);
      }
      return;
    }
    unpublished.computeIfPresent(
        id,
        (k, held) -> {
          if (after != null) {
            publish(after, at);
          }
          if (--held.writers > 0) {
            return held;
          }
          if (held.events != null) {
            held.events.forEach(this::publish);
          }
          return null;
        });
  }

  /** Publishes an event of a job this thread did not write, after any write being published. */
  void publishInOrder(JobEvent event) {
    Held h = unpublished.get(event.id());
    if (h == null) {
      publish(event);
      return;
    }
    boolean[] held = {false};
    unpublished.computeIfPresent(
        event.id(),
        (k, w) -> {
          if (w.events == null) {
            w.events = new ArrayList<>(2);
          }
          w.events.add(event);
          held[0] = true;
          return w;
        });
    if (!held[0]) {
      publish(event);
    }
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
