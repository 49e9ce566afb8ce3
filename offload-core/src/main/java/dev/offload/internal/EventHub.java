package dev.offload.internal;

import dev.offload.Job;
import dev.offload.JobEvent;
import dev.offload.JobId;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Consumer;
import java.util.function.Supplier;
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
   * Keeps events in the order the store changed: a worker may claim a job between another thread's
   * store write and that thread's publish (a submit, or a retry's completion under a loaded CPU),
   * and its "running" event must not overtake the "queued"/"scheduled" one. Writers hold the read
   * side around write-then-publish (they do not wait for each other); a worker publishing its
   * claims takes the write side, so it waits for writes whose results it may have claimed.
   */
  private final ReentrantReadWriteLock order = new ReentrantReadWriteLock();

  <T> T writing(Supplier<T> writeAndPublish) {
    order.readLock().lock();
    try {
      return writeAndPublish.get();
    } finally {
      order.readLock().unlock();
    }
  }

  void publishClaimed(List<Job> claimed, Instant at) {
    if (claimed.isEmpty()) {
      return;
    }
    order.writeLock().lock();
    try {
      for (Job job : claimed) {
        publish(job, at);
      }
    } finally {
      order.writeLock().unlock();
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
