package dev.offload;

/**
 * One element's result from {@link Offload#mapOutcomes}: a value or an error, never both.
 *
 * @param value the output when {@code error} is {@code null}
 * @param error why this element failed, or {@code null}
 */
public record Outcome<O>(O value, JobError error) {
  public static <O> Outcome<O> success(O value) {
    return new Outcome<>(value, null);
  }

  public static <O> Outcome<O> failure(JobError error) {
    return new Outcome<>(null, error);
  }

  public boolean isSuccess() {
    return error == null;
  }
}
