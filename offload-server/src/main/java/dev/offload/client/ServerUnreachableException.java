package dev.offload.client;

/** No answer from the server: refused, unknown host, timed out, connection dropped. */
public class ServerUnreachableException extends OffloadHttpException {
  public ServerUnreachableException(String message, Throwable cause) {
    super(message, cause);
  }
}
