package dev.offload.broker.kafka;

import java.util.TreeSet;

/**
 * The offsets of one partition a consumer has read but not finished. The offset it may commit is
 * the lowest unfinished one, or the next to read when all are finished, so a commit never passes a
 * job that is still running or a retry still waiting. Used by the poll thread only.
 */
final class OffsetTracker {
  private final TreeSet<Long> open = new TreeSet<>();
  private long next = -1;
  private long committed = -1;

  /** A record handed on (or held for later) and not finished. */
  void opened(long offset) {
    open.add(offset);
    next = Math.max(next, offset + 1);
  }

  /** A record finished at once (parked on arrival). */
  void passed(long offset) {
    next = Math.max(next, offset + 1);
  }

  void finished(long offset) {
    open.remove(offset);
  }

  boolean isOpen(long offset) {
    return open.contains(offset);
  }

  /** The offset to commit now, or -1 when nothing new may be committed. */
  long toCommit() {
    if (next < 0) {
      return -1;
    }
    long safe = open.isEmpty() ? next : open.first();
    return safe > committed ? safe : -1;
  }

  void committed(long offset) {
    committed = Math.max(committed, offset);
  }
}
