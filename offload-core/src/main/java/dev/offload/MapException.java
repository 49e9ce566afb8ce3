package dev.offload;

/** A fail-fast {@code map} stopped at the element {@link #index()}; the rest were cancelled. */
public class MapException extends OffloadException {
  private final int index;

  public MapException(int index, Throwable cause) {
    super("map failed at element " + index + ": " + cause.getMessage(), cause);
    this.index = index;
  }

  public int index() {
    return index;
  }
}
