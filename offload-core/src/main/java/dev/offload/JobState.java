package dev.offload;

import java.util.EnumSet;
import java.util.Map;
import java.util.Set;

/**
 * The life cycle of a job. Every change of state anywhere in Offload (engine or store) must be one
 * this table allows; stores call {@link #canTransitionTo} rather than restating the rules.
 *
 * <pre>
 * SCHEDULED ──due──▶ QUEUED ──claim──▶ RUNNING ──▶ SUCCEEDED
 *     │  ▲──────────────claim─────────────┘ │ │ ╲──▶ FAILED ──retry──▶ QUEUED
 *     │  └────── retry with backoff ────────┘ │  ╲─▶ CANCELLED ─retry─▶ QUEUED
 *     └────────────▶ CANCELLED ◀── QUEUED      └─ lease lost / released ─▶ QUEUED
 * </pre>
 *
 * <p>{@code SCHEDULED} jobs wait for their run-at time (a delay, or a retry's backoff); a store may
 * claim a due {@code SCHEDULED} job directly.
 */
public enum JobState {
  SCHEDULED,
  QUEUED,
  RUNNING,
  SUCCEEDED,
  FAILED,
  CANCELLED;

  private static final Map<JobState, Set<JobState>> TRANSITIONS =
      Map.of(
          SCHEDULED, EnumSet.of(QUEUED, RUNNING, CANCELLED),
          QUEUED, EnumSet.of(RUNNING, CANCELLED),
          RUNNING, EnumSet.of(SUCCEEDED, FAILED, CANCELLED, QUEUED, SCHEDULED),
          SUCCEEDED, EnumSet.noneOf(JobState.class),
          FAILED, EnumSet.of(QUEUED),
          CANCELLED, EnumSet.of(QUEUED));

  /** Whether a job in this state may move to {@code next}. */
  public boolean canTransitionTo(JobState next) {
    return TRANSITIONS.get(this).contains(next);
  }

  /** The states this one may move to. */
  public Set<JobState> successors() {
    return EnumSet.copyOf(
        TRANSITIONS.get(this).isEmpty() ? EnumSet.noneOf(JobState.class) : TRANSITIONS.get(this));
  }

  /** Succeeded, failed or cancelled: no worker will touch the job again on its own. */
  public boolean isTerminal() {
    return this == SUCCEEDED || this == FAILED || this == CANCELLED;
  }

  /** Waiting to be claimed (now or at its run-at time). */
  public boolean isPending() {
    return this == SCHEDULED || this == QUEUED;
  }

  /** The lower-case name used in JSON, URLs and the CLI ({@code "queued"}). */
  public String wireName() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }

  /**
   * Parses a wire name such as {@code "running"} (case-insensitive).
   *
   * @throws InvalidInputException naming the allowed values
   */
  public static JobState fromWireName(String name) {
    for (JobState s : values()) {
      if (s.name().equalsIgnoreCase(name)) {
        return s;
      }
    }
    throw new InvalidInputException(
        "state",
        "unknown job state '" + name + "'; expected one of " + java.util.List.of(values()));
  }
}
