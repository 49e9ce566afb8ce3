package dev.offload.tck;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A clock that moves only when a test moves it, so lease expiry, retry times and purge cut-offs are
 * exact and tests never sleep. Thread-safe.
 *
 * <pre>{@code
 * ManualClock clock = ManualClock.startingAt(Instant.parse("2030-01-01T00:00:00Z"));
 * JobStore store = new MyStore(clock);
 * clock.advance(Duration.ofSeconds(31));   // the 30 s lease has now lapsed
 * }</pre>
 */
public final class ManualClock implements InstantSource {
  /** Where {@link JobStoreContract} starts every test: a whole second, far from any real "now". */
  public static final Instant DEFAULT_START = Instant.parse("2030-01-01T00:00:00Z");

  private final AtomicReference<Instant> now;

  private ManualClock(Instant start) {
    this.now = new AtomicReference<>(Objects.requireNonNull(start, "start"));
  }

  /** A clock standing at {@code start}. */
  public static ManualClock startingAt(Instant start) {
    return new ManualClock(start);
  }

  /** A clock standing at {@link #DEFAULT_START}. */
  public static ManualClock create() {
    return new ManualClock(DEFAULT_START);
  }

  @Override
  public Instant instant() {
    return now.get();
  }

  /**
   * Moves the clock forward by {@code amount} and returns the new time.
   *
   * @throws IllegalArgumentException when {@code amount} is negative: time never runs backwards
   *     here, since stores may rely on it
   */
  public Instant advance(Duration amount) {
    if (amount.isNegative()) {
      throw new IllegalArgumentException("cannot advance by a negative amount: " + amount);
    }
    return now.updateAndGet(t -> t.plus(amount));
  }

  /** Moves the clock forward by {@code millis} milliseconds and returns the new time. */
  public Instant advanceMillis(long millis) {
    return advance(Duration.ofMillis(millis));
  }

  /**
   * Sets the clock to {@code instant}, which may be earlier than now (to test a store against a
   * skewed caller); returns it.
   */
  public Instant set(Instant instant) {
    now.set(Objects.requireNonNull(instant, "instant"));
    return instant;
  }

  @Override
  public String toString() {
    return "ManualClock[" + now.get() + "]";
  }
}
