package dev.offload;

import java.time.Duration;

/** The pool's bounded queue is full: try again later (HTTP 429 with Retry-After). */
public class QueueFullException extends OffloadException {
  private final Duration retryAfter;

  public QueueFullException(String message, Duration retryAfter) {
    super(message);
    this.retryAfter = retryAfter;
  }

  /** A hint for when capacity may be back. */
  public Duration retryAfter() {
    return retryAfter;
  }
}
