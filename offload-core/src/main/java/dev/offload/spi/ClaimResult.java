package dev.offload.spi;

import dev.offload.Job;
import java.util.List;

/**
 * What a claim took, and the store's wake mark from just before it: a worker that found nothing
 * passes the mark to {@link JobStore#awaitWork}, which returns at once if work was announced since,
 * so a job enqueued between the claim and the wait is never slept through. The mark travels with
 * the call; any thread may wait on it.
 *
 * @param jobs the claimed jobs, in claim order
 * @param wakeMark the store's work-signal count read before the claim looked for jobs
 */
public record ClaimResult(List<Job> jobs, long wakeMark) {
  public ClaimResult {
    jobs = List.copyOf(jobs);
  }
}
