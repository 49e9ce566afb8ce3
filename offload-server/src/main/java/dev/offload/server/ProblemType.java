package dev.offload.server;

/**
 * The stable {@code type} of every problem+json error (RFC 9457) the server answers with. Clients
 * should branch on {@link #uri()}, never on the human-readable title or detail.
 *
 * <p>{@code urn:offload:problem:queue-full} — 429, with a {@code Retry-After} header.
 */
public enum ProblemType {
  MALFORMED_JSON(400, "malformed-json", "Malformed JSON"),
  INVALID_PARAMETER(400, "invalid-parameter", "Invalid parameter"),
  BAD_REQUEST(400, "bad-request", "Bad request"),
  UNAUTHORIZED(401, "unauthorized", "A valid API token is required"),
  FORBIDDEN(403, "forbidden", "Not allowed"),
  NOT_FOUND(404, "not-found", "Not found"),
  TASK_NOT_FOUND(404, "task-not-found", "No such task"),
  JOB_NOT_FOUND(404, "job-not-found", "No such job"),
  METHOD_NOT_ALLOWED(405, "method-not-allowed", "Method not allowed"),
  JOB_STATE_CONFLICT(409, "job-state-conflict", "The job's state does not allow this"),
  BODY_TOO_LARGE(413, "body-too-large", "Request body too large"),
  URI_TOO_LONG(414, "uri-too-long", "Request URI too long"),
  UNSUPPORTED_MEDIA_TYPE(415, "unsupported-media-type", "Send Content-Type: application/json"),
  UPGRADE_REQUIRED(426, "upgrade-required", "Use HTTP/1.1"),
  INVALID_INPUT(422, "invalid-input", "Invalid input"),
  QUEUE_FULL(429, "queue-full", "Too busy; try again later"),
  TASK_FAILED(500, "task-failed", "The task failed"),
  INTERNAL_ERROR(500, "internal-error", "Internal error"),
  SHUTTING_DOWN(503, "shutting-down", "Shutting down"),
  STORE_UNAVAILABLE(503, "store-unavailable", "Job store unavailable"),
  TIMEOUT(504, "timeout", "Timed out");

  private static final String PREFIX = "urn:offload:problem:";

  private final int status;
  private final String slug;
  private final String title;

  ProblemType(int status, String slug, String title) {
    this.status = status;
    this.slug = slug;
    this.title = title;
  }

  /** The HTTP status this problem is answered with. */
  public int status() {
    return status;
  }

  /** The short name, e.g. {@code "queue-full"}. */
  public String slug() {
    return slug;
  }

  /** The {@code type} member: {@code urn:offload:problem:<slug>}. */
  public String uri() {
    return PREFIX + slug;
  }

  /** The {@code title} member. */
  public String title() {
    return title;
  }

  /** The type whose {@link #uri()} is {@code uri}, or {@code null}. */
  public static ProblemType fromUri(String uri) {
    for (ProblemType t : values()) {
      if (t.uri().equals(uri)) {
        return t;
      }
    }
    return null;
  }
}
