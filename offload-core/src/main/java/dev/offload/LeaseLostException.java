package dev.offload;

/** A worker's lease on a job is gone (expired and reclaimed, or the job was cancelled). */
public class LeaseLostException extends OffloadException {
  public LeaseLostException(Lease lease, String why) {
    super(
        "lease lost on job "
            + lease.jobId()
            + " attempt "
            + lease.attempt()
            + " by "
            + lease.owner()
            + ": "
            + why);
  }
}
