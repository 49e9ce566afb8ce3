package dev.offload;

import java.util.Objects;

/**
 * A worker's hold on a job it claimed: from the claim (while the job waits in the worker's prefetch
 * buffer) through its run. The token is the fencing token: every claim of a job draws a new one, so
 * a worker whose lease lapsed (and whose job was claimed again) can never renew, start or complete
 * the newer claim. It is not the attempt count: a claim that never runs task code charges nothing.
 */
public record Lease(JobId jobId, long token, String owner) {
  public Lease {
    Objects.requireNonNull(jobId, "jobId");
    Objects.requireNonNull(owner, "owner");
  }
}
