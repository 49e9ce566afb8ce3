package dev.offload;

import java.util.Collection;
import java.util.List;

/** No task is registered under this name. */
public class TaskNotFoundException extends OffloadException {
  private final String task;

  public TaskNotFoundException(String task, Collection<String> known) {
    super("no task '" + task + "' (registered: " + List.copyOf(known) + ")");
    this.task = task;
  }

  public String task() {
    return task;
  }
}
