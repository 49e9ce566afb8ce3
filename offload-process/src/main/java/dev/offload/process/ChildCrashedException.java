package dev.offload.process;

import dev.offload.JobError;
import dev.offload.OffloadException;
import java.util.OptionalInt;

/**
 * The child process running an attempt died (it exited, was killed by a signal, or stopped
 * answering). Only that attempt fails; the pool spawns a replacement.
 */
public class ChildCrashedException extends OffloadException implements JobError.Source {
  private final String task;
  private final long pid;
  private final Integer exitCode;
  private final Integer signal;
  private final String stderr;

  public ChildCrashedException(
      String task, long pid, Integer exitCode, Integer signal, String reason, String stderr) {
    super(message(task, pid, exitCode, signal, reason, stderr));
    this.task = task;
    this.pid = pid;
    this.exitCode = exitCode;
    this.signal = signal;
    this.stderr = stderr == null ? "" : stderr;
  }

  private static String message(
      String task, long pid, Integer exitCode, Integer signal, String reason, String stderr) {
    StringBuilder sb = new StringBuilder("task '").append(task).append("': child process ");
    sb.append(pid);
    if (signal != null) {
      sb.append(" was killed by signal ").append(signal);
      if (signal == 9) {
        sb.append(" (SIGKILL: the kernel's OOM killer, or an operator)");
      } else if (signal == 11) {
        sb.append(" (SIGSEGV)");
      }
    } else if (exitCode != null) {
      sb.append(" exited with code ").append(exitCode);
    } else {
      sb.append(" died");
    }
    if (reason != null) {
      sb.append(": ").append(reason);
    }
    String last = lastLine(stderr);
    if (!last.isEmpty()) {
      sb.append("; stderr ends with: ").append(last);
    }
    return sb.toString();
  }

  static String lastLine(String text) {
    if (text == null) {
      return "";
    }
    String t = text.strip();
    int nl = t.lastIndexOf('\n');
    String last = nl < 0 ? t : t.substring(nl + 1);
    return last.length() > 300 ? last.substring(0, 300) + "..." : last;
  }

  public String task() {
    return task;
  }

  public long pid() {
    return pid;
  }

  /** The exit code when the child exited by itself. */
  public OptionalInt exitCode() {
    return exitCode == null ? OptionalInt.empty() : OptionalInt.of(exitCode);
  }

  /** The signal that killed the child, when one did. */
  public OptionalInt signal() {
    return signal == null ? OptionalInt.empty() : OptionalInt.of(signal);
  }

  /** The tail of what the child wrote to stderr during the attempt (bounded). */
  public String stderr() {
    return stderr;
  }

  /** A {@code "crashed"} error with the child's stderr as detail. */
  @Override
  public JobError jobError() {
    return new JobError(JobError.CRASHED, getMessage(), stderr.isEmpty() ? null : stderr);
  }
}
