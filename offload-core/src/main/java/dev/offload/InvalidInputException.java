package dev.offload;

/** A caller's value does not fit: names the field and says what was wrong. */
public class InvalidInputException extends OffloadException {
  private final String field;

  public InvalidInputException(String field, String message) {
    super(field == null ? message : field + ": " + message);
    this.field = field;
  }

  public InvalidInputException(String field, String message, Throwable cause) {
    super(field == null ? message : field + ": " + message, cause);
    this.field = field;
  }

  /** The offending field ({@code "input.ms"}, {@code "timeout"}), or {@code null}. */
  public String field() {
    return field;
  }
}
