package dev.offload;

/**
 * A task run with {@code run}/{@code map} (or awaited as a job) failed; {@link #error()} says why
 * and {@link #getCause()} is the task's own exception when it ran in this process.
 */
public class TaskFailedException extends OffloadException {
  private final JobError error;

  public TaskFailedException(String task, JobError error, Throwable cause) {
    super("task '" + task + "' failed: " + error.message(), cause);
    this.error = error;
  }

  public JobError error() {
    return error;
  }
}
