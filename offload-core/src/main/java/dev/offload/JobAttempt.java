package dev.offload;

import java.time.Instant;
import java.util.Objects;

/**
 * One charged attempt of a job, kept in its {@link Job#history()}: an attempt whose task code ran
 * and ended (succeeded, failed, timed out) or whose worker died while it ran. Attempts that never
 * ran task code (a prefetched job handed back, a release at shutdown) are not charged and not
 * listed.
 *
 * @param attempt the attempt number, from 1
 * @param worker the worker that ran it
 * @param startedAt when its task code started
 * @param endedAt when it ended (or when its lapsed lease was found)
 * @param outcome {@code succeeded}, {@code failed}, {@code lease-expired} or {@code cancelled}
 * @param error the attempt's error, {@code null} when it succeeded
 */
public record JobAttempt(
    int attempt,
    String worker,
    Instant startedAt,
    Instant endedAt,
    String outcome,
    JobError error) {

  public static final String SUCCEEDED = "succeeded";
  public static final String FAILED = "failed";
  public static final String LEASE_EXPIRED = "lease-expired";
  public static final String CANCELLED = "cancelled";

  public JobAttempt {
    Objects.requireNonNull(outcome, "outcome");
  }
}
