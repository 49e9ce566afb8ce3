package dev.offload;

/** A message broker failed, refused a message or could not be reached; the message names it. */
public class BrokerException extends OffloadException {
  public BrokerException(String message, Throwable cause) {
    super(message, cause);
  }

  public BrokerException(String message) {
    super(message);
  }
}
