package dev.offload;

import java.util.Set;

/**
 * A filter for listing jobs, newest first. Empty {@code states} and {@code null} fields match
 * everything; {@code cursor} is the {@link Page#nextCursor()} of the previous page.
 *
 * <p>{@code offload.jobs(JobQuery.all().states(Set.of(JobState.FAILED)).limit(50))}
 */
public record JobQuery(Set<JobState> states, String task, String queue, int limit, String cursor) {
  public static final int MAX_LIMIT = 1000;

  public JobQuery {
    states = states == null ? Set.of() : Set.copyOf(states);
    if (limit < 1 || limit > MAX_LIMIT) {
      throw new InvalidInputException("limit", "must be 1-" + MAX_LIMIT + ", was " + limit);
    }
  }

  /** Every job, 50 a page. */
  public static JobQuery all() {
    return new JobQuery(Set.of(), null, null, 50, null);
  }

  public JobQuery states(Set<JobState> newStates) {
    return new JobQuery(newStates, task, queue, limit, cursor);
  }

  public JobQuery task(String newTask) {
    return new JobQuery(states, newTask, queue, limit, cursor);
  }

  public JobQuery queue(String newQueue) {
    return new JobQuery(states, task, newQueue, limit, cursor);
  }

  public JobQuery limit(int newLimit) {
    return new JobQuery(states, task, queue, newLimit, cursor);
  }

  public JobQuery cursor(String newCursor) {
    return new JobQuery(states, task, queue, limit, newCursor);
  }

  /** Whether {@code job} passes the filters (cursor aside). */
  public boolean matches(Job job) {
    return (states.isEmpty() || states.contains(job.state()))
        && (task == null || task.equals(job.task()))
        && (queue == null || queue.equals(job.queue()));
  }

  /** The id the cursor points after, or {@code null} on the first page. */
  public JobId cursorId() {
    return cursor == null ? null : JobId.parse(cursor);
  }
}
