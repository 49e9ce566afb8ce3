package dev.offload;

/** The job store failed or could not be reached; the message names the store. */
public class StoreException extends OffloadException {
  public StoreException(String message, Throwable cause) {
    super(message, cause);
  }

  public StoreException(String message) {
    super(message);
  }
}
