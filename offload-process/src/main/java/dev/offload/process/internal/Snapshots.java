package dev.offload.process.internal;

import dev.offload.process.ChildInfo;
import dev.offload.process.ChildState;
import dev.offload.process.ProcessPoolStats;
import java.util.ArrayList;
import java.util.List;

/** Read-only views of a pool, for stats, dashboards and error messages. */
final class Snapshots {
  private Snapshots() {}

  static ProcessPoolStats stats(ChildPool pool) {
    pool.lock.lock();
    try {
      int busy = 0;
      for (Child c : pool.alive) {
        if (c.state == ChildState.BUSY || c.state == ChildState.CANCELLING) {
          busy++;
        }
      }
      return new ProcessPoolStats(
          pool.s.size(),
          pool.alive.size(),
          busy,
          pool.idle.size(),
          pool.queue.size(),
          pool.s.queueCapacity(),
          pool.tasksRun,
          Math.max(0, pool.spawns - pool.s.size()),
          pool.crashes,
          pool.timeouts,
          pool.memoryKills,
          pool.recycled);
    } finally {
      pool.lock.unlock();
    }
  }

  static List<ChildInfo> children(ChildPool pool) {
    record Row(Child c, ChildState state, long tasksRun, String task) {}
    List<Row> rows = new ArrayList<>();
    pool.lock.lock();
    try {
      for (Child c : pool.alive) {
        rows.add(new Row(c, c.state, c.tasksRun, c.current == null ? null : c.current.task.name()));
      }
    } finally {
      pool.lock.unlock();
    }
    return rows.stream()
        .map(r ->
            new ChildInfo(
                r.c.slot,
                r.c.pid,
                r.state,
                r.tasksRun,
                r.c.startedAt,
                r.task,
                ProcessTree.rssBytes(r.c.process.toHandle())))
        .toList();
  }

  static String describeLocked(ChildPool pool) {
    return "size="
        + pool.s.size()
        + ", pool.alive="
        + pool.alive.size()
        + ", pool.idle="
        + pool.idle.size()
        + ", queued="
        + pool.queue.size()
        + "/"
        + pool.s.queueCapacity();
  }
}
