package dev.offload;

import java.io.PrintWriter;
import java.io.StringWriter;

/**
 * Why an attempt failed.
 *
 * @param type a stable machine-readable cause: {@code "exception"}, {@code "timeout"}, {@code
 *     "lease-expired"}, {@code "cancelled"}, {@code "crashed"}, {@code "invalid-input"}
 * @param message a human-readable message
 * @param detail a stack trace or child-process log for operators, or {@code null}
 */
public record JobError(String type, String message, String detail) {
  public static final String EXCEPTION = "exception";
  public static final String TIMEOUT = "timeout";
  public static final String LEASE_EXPIRED = "lease-expired";
  public static final String CANCELLED = "cancelled";
  public static final String CRASHED = "crashed";
  public static final String INVALID_INPUT = "invalid-input";

  /**
   * Implemented by exceptions that know which error they stand for (a child process that crashed or
   * timed out, with its log as the detail); {@link #of} asks them first.
   */
  public interface Source {
    JobError jobError();
  }

  /**
   * The error for a task that threw {@code t}: its own {@link Source#jobError()} if it has one,
   * else an {@code "exception"} with the stack trace as detail.
   */
  public static JobError of(Throwable t) {
    if (t instanceof Source source) {
      return source.jobError();
    }
    StringWriter trace = new StringWriter();
    t.printStackTrace(new PrintWriter(trace));
    String message = t.getMessage() == null ? t.getClass().getName() : t.getMessage();
    return new JobError(EXCEPTION, message, trace.toString());
  }
}
