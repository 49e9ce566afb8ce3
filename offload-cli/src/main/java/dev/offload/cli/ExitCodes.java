package dev.offload.cli;

/**
 * The exit codes of the {@code offload} command, stable for scripts.
 *
 * <pre>
 * 0  success
 * 1  the job failed or was cancelled (submit --wait), or an unexpected error
 * 2  usage: unknown option, missing argument, a value that does not parse (e.g. --input not JSON)
 * 3  not found: no such job or task
 * 4  server unreachable (nothing listens at --url, or no answer in time)
 * 5  refused: the server rejected the request (invalid input, body too large, state conflict)
 * 6  busy or unavailable: queue full (429) or shutting down / store down (503); try again later
 * 7  timed out: the job had not finished when --wait-timeout ran out, or the run hit its timeout
 * </pre>
 */
public final class ExitCodes {
  public static final int OK = 0;
  public static final int FAILED = 1;
  public static final int USAGE = 2;
  public static final int NOT_FOUND = 3;
  public static final int UNREACHABLE = 4;
  public static final int REFUSED = 5;
  public static final int BUSY = 6;
  public static final int TIMED_OUT = 7;

  private ExitCodes() {}

  /** The exit code for an HTTP status from the server. */
  public static int forStatus(int status) {
    return switch (status) {
      case 404 -> NOT_FOUND;
      case 429, 503 -> BUSY;
      case 504 -> TIMED_OUT;
      default -> status >= 400 && status < 500 ? REFUSED : FAILED;
    };
  }
}
