package dev.offload.process;

import dev.offload.JobError;
import dev.offload.OffloadException;

/**
 * The task itself failed inside the child process and the child reported it with an {@code error}
 * message; the child lives on. {@link #errorType()} is the child's name for the failure (for a Java
 * child the exception class, for Python the exception type).
 */
public class ChildTaskException extends OffloadException implements JobError.Source {
  private final String task;
  private final String errorType;
  private final String detail;
  private final String stderr;

  public ChildTaskException(
      String task, String errorType, String message, String detail, String stderr) {
    super("task '" + task + "' failed in its child process: " + errorType + ": " + message);
    this.task = task;
    this.errorType = errorType;
    this.detail = detail == null ? "" : detail;
    this.stderr = stderr == null ? "" : stderr;
  }

  public String task() {
    return task;
  }

  public String errorType() {
    return errorType;
  }

  /** The child's own detail (a stack trace or traceback), or empty. */
  public String detail() {
    return detail;
  }

  /** What the child wrote to stderr during the attempt (bounded), or empty. */
  public String stderr() {
    return stderr;
  }

  /** An {@code "exception"} error whose detail is the child's traceback, then its stderr. */
  @Override
  public JobError jobError() {
    String log;
    if (stderr.isEmpty()) {
      log = detail;
    } else {
      log = detail.isEmpty() ? stderr : detail + "\n--- stderr ---\n" + stderr;
    }
    return new JobError(JobError.EXCEPTION, getMessage(), log.isEmpty() ? null : log);
  }
}
