package dev.offload.chaos;

import java.time.Instant;

/**
 * Something the harness did to a worker process.
 *
 * @param kind SIGKILL or SIGSTOP (the SIGCONT follows after longer than the lease)
 * @param at when the signal was sent
 * @param pid the worker process
 */
public record Disruption(Kind kind, Instant at, long pid) {
  public enum Kind {
    KILL,
    PAUSE
  }
}
