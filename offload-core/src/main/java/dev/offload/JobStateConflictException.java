package dev.offload;

/**
 * The job's state does not allow the operation (retry a running job, delete a running job): HTTP
 * 409.
 */
public class JobStateConflictException extends OffloadException {
  private final JobId id;
  private final JobState state;

  public JobStateConflictException(JobId id, JobState state, String message) {
    super("job " + id + " is " + state.wireName() + ": " + message);
    this.id = id;
    this.state = state;
  }

  public JobId id() {
    return id;
  }

  public JobState state() {
    return state;
  }
}
