package dev.offload.process;

import dev.offload.JobError;
import dev.offload.OffloadException;

/**
 * A child process went over its memory limit while running an attempt; the child was stopped (or
 * stopped itself) and replaced, and the attempt failed.
 */
public class MemoryLimitExceededException extends OffloadException implements JobError.Source {
  private final String task;
  private final long pid;
  private final long limitBytes;
  private final String stderr;

  public MemoryLimitExceededException(
      String task, long pid, long limitBytes, String how, String stderr) {
    super(
        "task '"
            + task
            + "': child process "
            + pid
            + " went over its memory limit of "
            + (limitBytes >> 20)
            + " MiB ("
            + how
            + ")");
    this.task = task;
    this.pid = pid;
    this.limitBytes = limitBytes;
    this.stderr = stderr == null ? "" : stderr;
  }

  public String task() {
    return task;
  }

  public long pid() {
    return pid;
  }

  public long limitBytes() {
    return limitBytes;
  }

  /** The tail of what the child wrote to stderr during the attempt (bounded). */
  public String stderr() {
    return stderr;
  }

  /** A {@code "crashed"} error (the child was stopped) with its stderr as detail. */
  @Override
  public JobError jobError() {
    return new JobError(JobError.CRASHED, getMessage(), stderr.isEmpty() ? null : stderr);
  }
}
