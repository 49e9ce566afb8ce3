package dev.offload;

/** Offload is shutting down and takes no new work (HTTP 503). */
public class ShuttingDownException extends OffloadException {
  public ShuttingDownException(String message) {
    super(message);
  }
}
