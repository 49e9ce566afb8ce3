package dev.offload.chaos;

import java.time.Instant;
import java.util.List;

/**
 * Something the harness did to a worker process.
 *
 * @param kind SIGKILL or SIGSTOP (the SIGCONT follows after longer than the lease)
 * @param at when the signal was sent
 * @param pid the worker process
 * @param held the jobs the store showed leased to that process just after the signal (running or
 *     prefetched), or an empty list when the store could not say
 */
public record Disruption(Kind kind, Instant at, long pid, List<String> held) {
  public Disruption {
    held = List.copyOf(held);
  }

  Disruption(Kind kind, Instant at, long pid) {
    this(kind, at, pid, List.of());
  }

  public enum Kind {
    KILL,
    PAUSE
  }
}
