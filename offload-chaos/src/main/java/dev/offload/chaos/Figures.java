package dev.offload.chaos;

import java.util.List;
import java.util.Map;

/**
 * What a chaos run found (docs/CHAOS.md defines each figure).
 *
 * @param submitted jobs submitted
 * @param lost submitted but missing from the store, or not terminal after the drain (target 0)
 * @param completedTwice the kept result is not the job's last run: a fenced-out attempt's result
 *     was accepted, or the job ran again after its accepted attempt started (target 0)
 * @param chargedNeverRan the job's final attempt count exceeds the distinct attempts whose task
 *     code started (target 0)
 * @param resultWithoutRun a succeeded job whose result names no successful run in the events logs
 *     (target 0; counted in {@code completedTwice} too, as a result the harness cannot vouch for)
 * @param ranAgain jobs whose task code started more than once (expected: at-least-once)
 * @param succeededWithError succeeded jobs that still show an earlier attempt's error (issue 11: a
 *     succeeded job's {@code error} is null)
 * @param starts task-code starts in all events logs
 * @param finalStates terminal and other states at the end, by name
 * @param killToRerun from a SIGKILL to the next start of each job the killed worker was running
 * @param heldToRerun from a SIGKILL to the next start of each job the store showed leased to the
 *     killed worker (running or prefetched): a dead worker's prefetched jobs wait for the lease too
 * @param pauseToRerun from a SIGSTOP to the next start elsewhere of each job the paused worker was
 *     running
 * @param pauseHeldToRerun from a SIGSTOP to the next start elsewhere of each job the store showed
 *     leased to the paused worker (running or prefetched)
 * @param examples up to ten job ids per violated figure, for digging
 */
public record Figures(
    long submitted,
    long lost,
    long completedTwice,
    long chargedNeverRan,
    long resultWithoutRun,
    long ranAgain,
    long succeededWithError,
    long starts,
    Map<String, Long> finalStates,
    Latency killToRerun,
    Latency heldToRerun,
    Latency pauseToRerun,
    Latency pauseHeldToRerun,
    Map<String, List<String>> examples) {

  /** Whether the three targets hold: none lost, none completed twice, none charged unrun. */
  public boolean targetsMet() {
    return lost == 0 && completedTwice == 0 && chargedNeverRan == 0;
  }

  /**
   * Times from a disruption of a worker to its interrupted jobs starting again.
   *
   * @param interrupted jobs whose task code was running in the worker when it was hit
   * @param rerun of those, how many started again afterwards (the times below are theirs)
   * @param notNeeded of those, how many never ran again and did not need to: out of attempts
   *     ({@code maxAttempts} reached), or finished by the paused attempt itself
   * @param neverRerun of those, how many never ran again though not terminal-by-design
   */
  public record Latency(
      long interrupted,
      long rerun,
      long notNeeded,
      long neverRerun,
      Long p50Ms,
      Long p99Ms,
      Long maxMs) {}
}
