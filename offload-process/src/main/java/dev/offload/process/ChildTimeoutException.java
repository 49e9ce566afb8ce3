package dev.offload.process;

import dev.offload.JobError;
import dev.offload.TaskTimeoutException;
import java.time.Duration;

/**
 * An attempt ran past its hard time limit (or past its soft limit and stopped on request), so the
 * child was asked to stop or was killed. A {@link TaskTimeoutException}, so the engine's retry
 * policy treats it as any timeout.
 */
public class ChildTimeoutException extends TaskTimeoutException implements JobError.Source {
  private final long pid;
  private final boolean killed;
  private final String stderr;

  public ChildTimeoutException(
      String task, Duration limit, long pid, boolean killed, String stderr) {
    super(task, limit);
    this.pid = pid;
    this.killed = killed;
    this.stderr = stderr == null ? "" : stderr;
  }

  @Override
  public String getMessage() {
    return super.getMessage()
        + (killed
            ? " (child process " + pid + " killed and replaced)"
            : " (child process " + pid + " stopped the task on request)");
  }

  public long pid() {
    return pid;
  }

  /** Whether the child was killed (hard limit) rather than stopping by itself (soft limit). */
  public boolean killed() {
    return killed;
  }

  /** The tail of what the child wrote to stderr during the attempt (bounded). */
  public String stderr() {
    return stderr;
  }

  /** A {@code "timeout"} error with the child's stderr as detail. */
  @Override
  public JobError jobError() {
    return new JobError(JobError.TIMEOUT, getMessage(), stderr.isEmpty() ? null : stderr);
  }
}
