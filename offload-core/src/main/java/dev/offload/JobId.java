package dev.offload;

import java.security.SecureRandom;
import java.time.Instant;
import java.util.Objects;
import java.util.UUID;

/**
 * A job's identity: a UUIDv7, so ids sort by creation time (list order, cursors, index locality).
 *
 * <p>{@code JobId id = JobId.parse("0193a5d4-...");}
 */
public record JobId(UUID value) implements Comparable<JobId> {
  private static final SecureRandom RANDOM = new SecureRandom();

  public JobId {
    Objects.requireNonNull(value, "value");
  }

  /** A new time-ordered id for a job created at {@code now}. */
  public static JobId newId(Instant now) {
    long millis = now.toEpochMilli();
    long randA = RANDOM.nextInt() & 0xFFFL;
    long msb = (millis << 16) | (0x7L << 12) | randA;
    long lsb = (RANDOM.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
    return new JobId(new UUID(msb, lsb));
  }

  /**
   * Parses the canonical string form.
   *
   * @throws InvalidInputException when {@code text} is not a UUID
   */
  public static JobId parse(String text) {
    try {
      return new JobId(UUID.fromString(text));
    } catch (IllegalArgumentException | NullPointerException e) {
      throw new InvalidInputException("id", "not a job id: '" + text + "'");
    }
  }

  /** The creation time encoded in a UUIDv7 id (millisecond precision). */
  public Instant timestamp() {
    return Instant.ofEpochMilli(value.getMostSignificantBits() >>> 16);
  }

  @Override
  public int compareTo(JobId other) {
    int c =
        Long.compareUnsigned(value.getMostSignificantBits(), other.value.getMostSignificantBits());
    return c != 0
        ? c
        : Long.compareUnsigned(
            value.getLeastSignificantBits(), other.value.getLeastSignificantBits());
  }

  @Override
  public String toString() {
    return value.toString();
  }
}
