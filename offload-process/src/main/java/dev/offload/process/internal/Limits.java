package dev.offload.process.internal;

import dev.offload.process.ChildCrashedException;
import dev.offload.process.ChildState;
import dev.offload.process.ChildTimeoutException;
import dev.offload.process.MemoryLimitExceededException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The pool's clocks: soft and hard time limits, the cancel grace, the startup timeout, and the
 * watchdog for hung children (no heartbeat) and resident memory. Runs on the pool's timer thread
 * and works on the pool's state under its lock.
 */
final class Limits {
  private final ChildPool pool;

  Limits(ChildPool pool) {
    this.pool = pool;
  }

  void softLimit(Attempt<?, ?> a) {
    Child c;
    pool.lock.lock();
    try {
      if (a.state != Attempt.State.RUNNING) {
        return;
      }
      a.softLimitHit = true;
      a.state = Attempt.State.CANCELLING;
      c = a.child;
      c.state = ChildState.CANCELLING;
    } finally {
      pool.lock.unlock();
    }
    c.send(Protocol.cancel(pool.s.mapper(), a.id));
  }

  void hardLimit(Attempt<?, ?> a, Duration limit) {
    Child c;
    boolean deliver;
    pool.lock.lock();
    try {
      if (a.state == Attempt.State.DONE) {
        return;
      }
      a.state = Attempt.State.DONE;
      a.cancelTimers();
      c = a.child;
      deliver = !a.cancelledByCaller;
      if (deliver) {
        pool.timeouts++;
      }
      pool.spawner.killLocked(c, "hard time limit of " + limit + " reached");
    } finally {
      pool.lock.unlock();
    }
    if (deliver) {
      failAfterExit(
          c,
          a,
          () ->
              new ChildTimeoutException(
                  a.task.name(), limit, c.pid, true, c.stderr.since(a.stderrMark)));
    }
  }

  /**
   * Fails {@code a} once its killed child is gone, so a retry never overlaps the old run (bounded:
   * a process stuck in the kernel does not hold the attempt forever).
   */
  void failAfterExit(Child c, Attempt<?, ?> a, Supplier<Exception> failure) {
    c.process
        .onExit()
        .completeOnTimeout(c.process, 5, TimeUnit.SECONDS)
        .whenComplete((p, x) ->
            Thread.ofVirtual().start(() -> a.future.completeExceptionally(failure.get())));
  }

  void graceOver(Attempt<?, ?> a) {
    pool.lock.lock();
    try {
      if (a.state == Attempt.State.CANCELLING && a.child.current == a) {
        a.state = Attempt.State.DONE;
        a.cancelTimers();
        pool.spawner.killLocked(
            a.child, "did not stop within " + pool.s.cancelGrace() + " of a cancel");
      }
    } finally {
      pool.lock.unlock();
    }
  }

  void startupTimeout(Child c) {
    pool.lock.lock();
    try {
      if (c.state == ChildState.STARTING && pool.alive.contains(c)) {
        c.killReason = "not ready within " + pool.s.startupTimeout();
        c.kill(); // not expected: onExit counts it as a failed start and backs off
      }
    } finally {
      pool.lock.unlock();
    }
  }

  /** Hung children (no message for the heartbeat timeout) and children over the RSS limit. */
  void watchdog() {
    List<Child> busy = new ArrayList<>();
    List<Attempt<?, ?>> hung = new ArrayList<>();
    pool.lock.lock();
    try {
      long now = System.nanoTime();
      for (Child c : List.copyOf(pool.alive)) {
        if (c.state == ChildState.KILLED || !c.ready) {
          continue;
        }
        Duration silent = Duration.ofNanos(now - c.lastMessageNanos);
        if (pool.s.heartbeatTimeout() != null && silent.compareTo(pool.s.heartbeatTimeout()) > 0) {
          Attempt<?, ?> a = c.current;
          if (a != null && a.state != Attempt.State.DONE) {
            a.state = Attempt.State.DONE;
            a.cancelTimers();
            if (!a.cancelledByCaller) {
              hung.add(a);
            }
          }
          pool.spawner.killLocked(
              c, "sent no message for " + silent.toMillis() + " ms (no heartbeat)");
        } else if (pool.s.maxRssBytes() > 0 && c.current != null) {
          busy.add(c);
        }
      }
    } finally {
      pool.lock.unlock();
    }
    for (Attempt<?, ?> a : hung) {
      Child c = a.child;
      failAfterExit(
          c,
          a,
          () ->
              new ChildCrashedException(
                  a.task.name(), c.pid, null, null, c.killReason, c.stderr.since(a.stderrMark)));
    }
    for (Child c : busy) {
      long rss = ProcessTree.rssBytes(c.process.toHandle());
      if (rss > pool.s.maxRssBytes()) {
        overMemory(c, rss);
      }
    }
  }

  void overMemory(Child c, long rss) {
    Attempt<?, ?> a;
    pool.lock.lock();
    try {
      a = c.current;
      if (a == null || a.state == Attempt.State.DONE) {
        return;
      }
      a.state = Attempt.State.DONE;
      a.cancelTimers();
      pool.memoryKills++;
      pool.spawner.killLocked(c, "resident memory " + (rss >> 20) + " MiB over the limit");
    } finally {
      pool.lock.unlock();
    }
    if (!a.cancelledByCaller) {
      Attempt<?, ?> over = a;
      failAfterExit(
          c,
          a,
          () ->
              new MemoryLimitExceededException(
                  over.task.name(),
                  c.pid,
                  pool.s.maxRssBytes(),
                  "resident set reached " + (rss >> 20) + " MiB; killed",
                  c.stderr.since(over.stderrMark)));
    }
  }
}
