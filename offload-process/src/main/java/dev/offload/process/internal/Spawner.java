package dev.offload.process.internal;

import dev.offload.process.ChildStartException;
import dev.offload.process.ChildState;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps every slot of the pool filled: spawns children (refilling a slot at once after a kill or a
 * retirement, after a growing backoff after crashes), kills and retires them, and decides when
 * starting has failed often enough that waiting attempts should fail instead of wait.
 */
final class Spawner {
  private static final Logger LOG = LoggerFactory.getLogger(ChildPool.class);
  private final ChildPool pool;

  Spawner(ChildPool pool) {
    this.pool = pool;
  }

  static final class Slot {
    final int index;
    Child child;
    int crashes;
    boolean spawnScheduled;

    Slot(int index) {
      this.index = index;
    }
  }

  void spawn(Slot slot) {
    pool.lock.lock();
    try {
      slot.spawnScheduled = false;
      if (slot.child != null || (pool.closed && pool.queue.isEmpty())) {
        return;
      }
      pool.spawns++;
    } finally {
      pool.lock.unlock();
    }
    Child c;
    try {
      c = Child.spawn(slot.index, pool.s, pool);
    } catch (IOException e) {
      List<Attempt<?, ?>> hopeless;
      pool.lock.lock();
      try {
        pool.consecutiveStartFailures++;
        slot.crashes++;
        pool.lastStartProblem = "cannot run " + pool.s.command() + ": " + e.getMessage();
        hopeless = drainIfHopelessLocked();
        scheduleSpawnLocked(slot, backoff(slot.crashes));
        pool.changed.signalAll();
      } finally {
        pool.lock.unlock();
      }
      LOG.warn("process pool '{}': {}", pool.s.name(), pool.lastStartProblem);
      failStart(hopeless);
      return;
    }
    pool.lock.lock();
    try {
      if (pool.terminated || (pool.closed && pool.queue.isEmpty())) {
        c.kill(); // the pool pool.closed while this child was being started
        return;
      }
      slot.child = c;
      pool.alive.add(c);
      c.startupTimer = pool.schedule(() -> pool.limits.startupTimeout(c), pool.s.startupTimeout());
    } finally {
      pool.lock.unlock();
    }
    c.startReaders(pool.s.name());
    LOG.debug("process pool '{}': spawned child {} in slot {}", pool.s.name(), c.pid, slot.index);
  }

  void scheduleSpawnLocked(Slot slot, Duration delay) {
    if (slot.spawnScheduled || (pool.closed && pool.queue.isEmpty())) {
      return;
    }
    slot.spawnScheduled = true;
    pool.schedule(() -> spawn(slot), delay);
  }

  void releaseSlotLocked(Child c, Duration delay) {
    Slot slot = pool.slots[c.slot];
    if (slot.child == c) {
      slot.child = null;
      scheduleSpawnLocked(slot, delay);
    }
  }

  /** Kills {@code c} and refills its slot at once; its attempt must already be settled. */
  void killLocked(Child c, String reason) {
    if (c.state == ChildState.KILLED) {
      return;
    }
    LOG.info("process pool '{}': killing child {}: {}", pool.s.name(), c.pid, reason);
    c.state = ChildState.KILLED;
    c.exitExpected = true;
    c.killReason = reason;
    pool.idle.remove(c);
    releaseSlotLocked(c, Duration.ZERO);
    c.kill();
  }

  /** Asks {@code c} to exit (the caller sends the shutdown message) and refills its slot. */
  void retireLocked(Child c) {
    c.state = ChildState.RETIRING;
    c.exitExpected = true;
    pool.idle.remove(c);
    releaseSlotLocked(c, Duration.ZERO);
    pool.schedule(
        () -> {
          pool.lock.lock();
          try {
            if (pool.alive.contains(c)) {
              LOG.info(
                  "child {} did not exit within {}; killing it", c.pid, pool.s.shutdownGrace());
              c.state = ChildState.KILLED;
              c.kill();
            }
          } finally {
            pool.lock.unlock();
          }
        },
        pool.s.shutdownGrace());
  }

  boolean hopelessLocked() {
    if (pool.consecutiveStartFailures < pool.s.maxStartFailures()) {
      return false;
    }
    for (Child c : pool.alive) {
      if (c.ready && c.state != ChildState.KILLED) {
        return false;
      }
    }
    return true;
  }

  List<Attempt<?, ?>> drainIfHopelessLocked() {
    if (!hopelessLocked() || pool.queue.isEmpty()) {
      return List.of();
    }
    List<Attempt<?, ?>> drained = new ArrayList<>(pool.queue);
    pool.queue.clear();
    drained.forEach(a -> a.state = Attempt.State.DONE);
    return drained;
  }

  void failStart(List<Attempt<?, ?>> attempts) {
    for (Attempt<?, ?> a : attempts) {
      a.future.completeExceptionally(
          new ChildStartException(
              "process pool '"
                  + pool.s.name()
                  + "' cannot start children: "
                  + pool.lastStartProblem,
              null));
    }
  }

  Duration backoff(int consecutiveCrashes) {
    if (consecutiveCrashes <= 1) {
      return Duration.ZERO;
    }
    Duration d = pool.s.backoffInitial().multipliedBy(1L << Math.min(20, consecutiveCrashes - 2));
    return d.compareTo(pool.s.backoffMax()) > 0 ? pool.s.backoffMax() : d;
  }
}
