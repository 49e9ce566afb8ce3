package dev.offload;

import java.time.Instant;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A job's identity: a UUIDv7, so ids sort by creation time (list order, cursors, index locality).
 *
 * <p>{@code JobId id = JobId.parse("0193a5d4-...");}
 */
public record JobId(UUID value) implements Comparable<JobId> {
  /** The last (millis << 12 | sequence) handed out by this process. */
  private static final AtomicLong LAST = new AtomicLong();

  public JobId {
    Objects.requireNonNull(value, "value");
  }

  /**
   * A new time-ordered id for a job created at {@code now}. Within one process ids are strictly
   * increasing: the 12 {@code rand_a} bits count up within a millisecond (RFC 9562, method 3), so
   * jobs submitted in one millisecond still list in submission order. The 62 random bits keep ids
   * from different processes apart; they need to be unique, not secret, so no SecureRandom (which
   * serialises every caller on one lock).
   */
  public static JobId newId(Instant now) {
    long wanted = now.toEpochMilli() << 12;
    long stamp = LAST.updateAndGet(last -> wanted > last ? wanted : last + 1);
    long millis = stamp >>> 12;
    long randA = stamp & 0xFFFL;
    long msb = (millis << 16) | (0x7L << 12) | randA;
    long lsb = (ThreadLocalRandom.current().nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
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
