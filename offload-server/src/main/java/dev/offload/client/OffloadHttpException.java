package dev.offload.client;

import com.fasterxml.jackson.databind.JsonNode;
import dev.offload.OffloadException;

/**
 * The server answered with an error (problem+json): {@link #status()}, the stable {@link #type()}
 * URI (e.g. {@code urn:offload:problem:job-not-found}) and the server's {@link #detail()}.
 */
public class OffloadHttpException extends OffloadException {
  private final int status;
  private final String type;
  private final String detail;
  private final transient JsonNode problem;

  public OffloadHttpException(int status, String type, String detail, JsonNode problem) {
    super("HTTP " + status + (type == null ? "" : " " + type) + ": " + detail);
    this.status = status;
    this.type = type;
    this.detail = detail;
    this.problem = problem;
  }

  protected OffloadHttpException(String message, Throwable cause) {
    super(message, cause);
    this.status = 0;
    this.type = null;
    this.detail = message;
    this.problem = null;
  }

  /** The HTTP status, or 0 when the server was not reached. */
  public int status() {
    return status;
  }

  /** The problem's {@code type} URI, or {@code null} when the answer was not problem+json. */
  public String type() {
    return type;
  }

  public String detail() {
    return detail;
  }

  /** The whole problem document (extension members such as {@code field}), or {@code null}. */
  public JsonNode problem() {
    return problem;
  }

  /** Whether the problem type ends with {@code slug}, e.g. {@code is("job-not-found")}. */
  public boolean is(String slug) {
    return type != null && type.endsWith(":" + slug);
  }
}
