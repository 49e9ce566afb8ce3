package dev.offload;

import java.util.Objects;

/**
 * A worker's claim on a running job. The attempt number is the fencing token: a store accepts an
 * update only while the job is still running under this exact attempt and owner, so a worker whose
 * lease lapsed (and whose job was claimed again) can never overwrite the newer attempt.
 */
public record Lease(JobId jobId, int attempt, String owner) {
  public Lease {
    Objects.requireNonNull(jobId, "jobId");
    Objects.requireNonNull(owner, "owner");
  }
}
