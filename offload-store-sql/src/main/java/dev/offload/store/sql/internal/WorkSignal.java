package dev.offload.store.sql.internal;

import java.time.Duration;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A counter of "work may be ready" events in this process, with waiting. Enqueues in this process
 * bump it directly; a dialect's watcher bumps it for other processes' enqueues.
 *
 * <p>The count is the store's wake mark ({@link dev.offload.spi.ClaimResult#wakeMark()}): a claim
 * reads it before looking for jobs and the waiter passes it back, from any thread, so an event
 * between an empty claim and the start of the wait is not lost.
 */
public final class WorkSignal {
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition changed = lock.newCondition();
  private final Condition waiterArrived = lock.newCondition();
  private volatile long seq;
  private int waiters;
  private boolean closed;

  /** The current count. */
  public long current() {
    return seq;
  }

  public void signal() {
    lock.lock();
    try {
      seq++;
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /** Waits until the count moves past {@code seen}; returns whether it did. */
  public boolean await(long seen, Duration maxWait) throws InterruptedException {
    long nanos = maxWait.toNanos();
    lock.lock();
    try {
      waiters++;
      waiterArrived.signalAll();
      try {
        while (seq == seen && !closed && nanos > 0) {
          nanos = changed.awaitNanos(nanos);
        }
        return seq != seen;
      } finally {
        waiters--;
      }
    } finally {
      lock.unlock();
    }
  }

  /**
   * For watchers that poll only while someone waits: blocks until a waiter is present, {@code
   * maxWait} passes or the signal closes. Returns whether a waiter is present.
   */
  public boolean awaitWaiter(Duration maxWait) throws InterruptedException {
    long nanos = maxWait.toNanos();
    lock.lock();
    try {
      while (waiters == 0 && !closed && nanos > 0) {
        nanos = waiterArrived.awaitNanos(nanos);
      }
      return waiters > 0 && !closed;
    } finally {
      lock.unlock();
    }
  }

  public boolean isClosed() {
    lock.lock();
    try {
      return closed;
    } finally {
      lock.unlock();
    }
  }

  /** Wakes every waiter for good. */
  public void close() {
    lock.lock();
    try {
      closed = true;
      changed.signalAll();
      waiterArrived.signalAll();
    } finally {
      lock.unlock();
    }
  }
}
