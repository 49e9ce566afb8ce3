package dev.offload;

/** The root of every exception Offload throws on purpose. */
public class OffloadException extends RuntimeException {
  public OffloadException(String message) {
    super(message);
  }

  public OffloadException(String message, Throwable cause) {
    super(message, cause);
  }
}
