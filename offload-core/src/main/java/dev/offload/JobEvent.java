package dev.offload;

import java.time.Instant;

/**
 * A change to a job: a new state, or new progress while running.
 *
 * @param id the job
 * @param task its task
 * @param queue its queue
 * @param state its state after the change
 * @param attempt the attempt the change belongs to
 * @param progress the progress, for progress events; else {@code null}
 * @param at when it happened
 */
public record JobEvent(
    JobId id,
    String task,
    String queue,
    JobState state,
    int attempt,
    Progress progress,
    Instant at) {

  /** The event describing {@code job} as it is now. */
  public static JobEvent of(Job job, Instant at) {
    return new JobEvent(
        job.id(), job.task(), job.queue(), job.state(), job.attempts(), job.progress(), at);
  }
}
