package dev.offload;

/**
 * How far a running job has got: a fraction in {@code [0, 1]} and an optional message.
 *
 * @param fraction done so far, 0 to 1
 * @param message what the task is doing now, or {@code null}
 */
public record Progress(double fraction, String message) {
  public Progress {
    if (!(fraction >= 0.0 && fraction <= 1.0)) {
      throw new InvalidInputException("progress", "fraction must be in [0, 1], was " + fraction);
    }
  }
}
