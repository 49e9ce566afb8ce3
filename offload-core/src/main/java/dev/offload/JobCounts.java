package dev.offload;

import java.util.EnumMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * How many jobs sit in each state, per queue.
 *
 * @param byQueue queue name to state to count (states with no jobs may be absent)
 */
public record JobCounts(Map<String, Map<JobState, Long>> byQueue) {
  public JobCounts {
    Map<String, Map<JobState, Long>> copy = new TreeMap<>();
    byQueue.forEach((q, m) -> copy.put(q, Map.copyOf(m)));
    byQueue = Map.copyOf(copy);
  }

  /** Totals per state across all queues, every state present. */
  public Map<JobState, Long> totals() {
    Map<JobState, Long> totals = new EnumMap<>(JobState.class);
    for (JobState s : JobState.values()) {
      totals.put(s, 0L);
    }
    byQueue.values().forEach(m -> m.forEach((s, n) -> totals.merge(s, n, Long::sum)));
    return totals;
  }

  public long total(JobState state) {
    return totals().get(state);
  }
}
