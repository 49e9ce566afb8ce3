package dev.offload.chaos;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.offload.Job;
import dev.offload.JobState;
import java.io.IOException;

/**
 * A job as the store left it at the end of a run, reduced to what the checks need.
 *
 * @param resultAttempt for a succeeded job, the attempt number its result names, else 0
 * @param resultPid for a succeeded job, the process its result names, else 0
 * @param hasError whether the job shows an error (a succeeded one should not: issue 11)
 */
public record FinalJob(
    String id,
    JobState state,
    int attempts,
    int maxAttempts,
    int resultAttempt,
    long resultPid,
    boolean hasError) {

  FinalJob(
      String id, JobState state, int attempts, int maxAttempts, int resultAttempt, long resultPid) {
    this(id, state, attempts, maxAttempts, resultAttempt, resultPid, false);
  }

  private static final ObjectMapper JSON = new ObjectMapper();

  static FinalJob of(Job job) {
    int attempt = 0;
    long pid = 0;
    if (job.state() == JobState.SUCCEEDED && job.result() != null) {
      try {
        ChaosTasks.Output out = JSON.readValue(job.result(), ChaosTasks.Output.class);
        attempt = out.attempt();
        pid = out.pid();
      } catch (IOException e) {
        // Not a chaos result: it matches no run, which the checks report.
      }
    }
    return new FinalJob(
        job.id().toString(),
        job.state(),
        job.attempts(),
        job.maxAttempts(),
        attempt,
        pid,
        job.error() != null);
  }
}
