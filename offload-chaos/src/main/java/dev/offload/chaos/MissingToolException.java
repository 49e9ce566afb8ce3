package dev.offload.chaos;

/** A program the chaos run needs (initdb, pg_ctl, redis-server) is not installed. */
public final class MissingToolException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  MissingToolException(String message) {
    super(message);
  }
}
