package dev.offload;

import java.time.Duration;

/** A task ran past its time limit and was cancelled. */
public class TaskTimeoutException extends OffloadException {
  public TaskTimeoutException(String task, Duration limit) {
    super("task '" + task + "' timed out after " + limit);
  }
}
