package dev.offload.redis.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finished jobs dropped before their retention ended because the user set {@code maxFinished}:
 * counted ({@link dev.offload.spi.JobStore#finishedDropped}) and logged, at most one line per
 * {@link #LOG_EVERY_NANOS}, each line covering every drop since the previous one (count and the
 * first ids), so no drop goes unreported and a steady stream of drops does not flood the log.
 */
final class DroppedFinished {
  private static final Logger LOG = LoggerFactory.getLogger(RedisJobStore.class);
  static final long LOG_EVERY_NANOS = TimeUnit.SECONDS.toNanos(10);
  private static final int SAMPLE_IDS = 5;

  private final String store;
  private final long cap;
  private final BiConsumer<Runnable, Long> scheduler;
  private boolean flushScheduled;
  private final AtomicLong total = new AtomicLong();
  private long unlogged;
  private final List<String> sample = new ArrayList<>(SAMPLE_IDS);
  private long lastLogNanos = System.nanoTime() - LOG_EVERY_NANOS;

  /**
   * @param scheduler runs a task after a delay in nanoseconds: drops held back by the rate limit
   *     are logged when it ends, even if no more drops come
   */
  DroppedFinished(String store, long cap, BiConsumer<Runnable, Long> scheduler) {
    this.store = store;
    this.cap = cap;
    this.scheduler = scheduler;
  }

  long total() {
    return total.get();
  }

  /** Counts the ids a script reported dropped (a list of ids, possibly empty). */
  void add(Object reply) {
    if (!(reply instanceof List<?> ids) || ids.isEmpty()) {
      return;
    }
    total.addAndGet(ids.size());
    synchronized (this) {
      unlogged += ids.size();
      for (Object id : ids) {
        if (sample.size() < SAMPLE_IDS) {
          sample.add(String.valueOf(id));
        }
      }
      long wait = lastLogNanos + LOG_EVERY_NANOS - System.nanoTime();
      if (wait <= 0) {
        logLocked();
      } else if (!flushScheduled) {
        flushScheduled = true;
        scheduler.accept(this::flush, wait);
      }
    }
  }

  /** Logs drops not yet reported (when the rate limit allows again, and on close). */
  synchronized void flush() {
    flushScheduled = false;
    if (unlogged > 0) {
      logLocked();
    }
  }

  private void logLocked() {
    LOG.warn(
        "Redis store {}: maxFinished={} reached, dropped {} finished job(s) before their result"
            + " retention ended (e.g. {}); {} dropped since the store opened. Raise or remove"
            + " maxFinished to keep results for the whole retention.",
        store,
        cap,
        unlogged,
        String.join(", ", sample),
        total.get());
    unlogged = 0;
    sample.clear();
    lastLogNanos = System.nanoTime();
  }
}
