package dev.offload.process;

import dev.offload.OffloadException;

/**
 * No child process could be started (the command is missing, or every child exits before it says
 * {@code ready}), so waiting attempts fail instead of waiting forever. The pool keeps trying with
 * backoff.
 */
public class ChildStartException extends OffloadException {
  public ChildStartException(String message, Throwable cause) {
    super(message, cause);
  }
}
