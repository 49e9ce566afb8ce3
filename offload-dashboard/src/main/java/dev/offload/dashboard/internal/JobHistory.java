package dev.offload.dashboard.internal;

import dev.offload.JobEvent;
import dev.offload.JobId;
import dev.offload.JobState;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The state changes this server saw for recent jobs, for the job page's attempt timeline (a job
 * record keeps only its last attempt's times). Bounded both ways: the oldest job is forgotten past
 * {@code maxJobs}, and a job keeps its last {@link #MAX_PER_JOB} changes. Progress reports are not
 * state changes and are not kept.
 */
public final class JobHistory {
  static final int MAX_PER_JOB = 100;

  private final Map<JobId, List<Transition>> jobs;

  /** One change: the state entered, in which attempt, when. */
  public record Transition(JobState state, int attempt, Instant at) {}

  public JobHistory(int maxJobs) {
    if (maxJobs < 1) {
      throw new IllegalArgumentException("maxJobs must be >= 1, was " + maxJobs);
    }
    this.jobs =
        new LinkedHashMap<>(16, 0.75f, false) {
          @Override
          protected boolean removeEldestEntry(Map.Entry<JobId, List<Transition>> eldest) {
            return size() > maxJobs;
          }
        };
  }

  /**
   * Records a state change and returns the one before it (or {@code null} if none was seen), from
   * which the caller reads how long the job waited or ran.
   */
  public synchronized Transition add(JobEvent e) {
    List<Transition> list = jobs.computeIfAbsent(e.id(), k -> new ArrayList<>(4));
    Transition previous = list.isEmpty() ? null : list.get(list.size() - 1);
    if (list.size() == MAX_PER_JOB) {
      list.remove(0);
    }
    list.add(new Transition(e.state(), e.attempt(), e.at()));
    return previous;
  }

  /** The changes seen for {@code id}, oldest first; empty if none. */
  public synchronized List<Transition> of(JobId id) {
    List<Transition> list = jobs.get(id);
    return list == null ? List.of() : List.copyOf(list);
  }
}
