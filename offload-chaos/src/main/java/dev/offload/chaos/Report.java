package dev.offload.chaos;

import java.util.List;

/**
 * What {@code report.json} holds: the settings, what the harness did, and the {@link Figures}.
 *
 * @param killToRerunTargetMs lease + 2 s, the target for the p99 of {@code figures.killToRerun}
 * @param storeRestarts each restart of the store server, with how long it was down
 * @param loadAverage {@code /proc/loadavg} at the start and at the end
 */
public record Report(
    String store,
    int jobs,
    int workers,
    int concurrency,
    long leaseMs,
    long seed,
    String startedAt,
    double submitSeconds,
    double chaosSeconds,
    double drainSeconds,
    double totalSeconds,
    int kills,
    int pauses,
    List<String> storeRestarts,
    List<String> loadAverage,
    long killToRerunTargetMs,
    boolean targetsMet,
    Figures figures,
    String runDir) {

  /** A few lines for a person. */
  String summary() {
    Figures f = figures;
    Figures.Latency k = f.killToRerun();
    Figures.Latency p = f.pauseToRerun();
    Figures.Latency h = f.heldToRerun();
    Figures.Latency ph = f.pauseHeldToRerun();
    return String.format(
        "chaos %s: %d jobs, %d workers x %d, lease %d ms, %d kills, %d pauses, store restarts %s%n"
            + "  lost %d, completed twice %d, charged an attempt never run %d   [targets 0, 0, 0: %s]%n"
            + "  kill -> job running again: p50 %s ms, p99 %s ms, max %s ms (target p99 <= %d ms);"
            + " %d interrupted, %d rerun, %d out of attempts, %d never rerun%n"
            + "  kill -> job the killed worker held (running or prefetched) running again: p50 %s ms,"
            + " p99 %s ms, max %s ms; %d held, %d rerun, %d out of attempts, %d never rerun%n"
            + "  SIGSTOP -> job running elsewhere: p50 %s ms, p99 %s ms; %d interrupted, %d rerun,"
            + " %d finished by the paused attempt or out of attempts, %d never rerun%n"
            + "  SIGSTOP -> job the paused worker held running elsewhere: p50 %s ms, p99 %s ms;"
            + " %d held, %d rerun, %d finished by the paused worker or out of attempts%n"
            + "  final states %s; %d task-code starts, %d jobs ran more than once,"
            + " %d results from no logged run, %d succeeded jobs showing an error%n"
            + "  submit %.1f s, chaos %.1f s, drain %.1f s; load average %s%n"
            + "  report: %s/report.json",
        store,
        jobs,
        workers,
        concurrency,
        leaseMs,
        kills,
        pauses,
        storeRestarts.isEmpty() ? "none (no server)" : storeRestarts,
        f.lost(),
        f.completedTwice(),
        f.chargedNeverRan(),
        targetsMet ? "MET" : "NOT MET",
        k.p50Ms(),
        k.p99Ms(),
        k.maxMs(),
        killToRerunTargetMs,
        k.interrupted(),
        k.rerun(),
        k.notNeeded(),
        k.neverRerun(),
        h.p50Ms(),
        h.p99Ms(),
        h.maxMs(),
        h.interrupted(),
        h.rerun(),
        h.notNeeded(),
        h.neverRerun(),
        p.p50Ms(),
        p.p99Ms(),
        p.interrupted(),
        p.rerun(),
        p.notNeeded(),
        p.neverRerun(),
        ph.p50Ms(),
        ph.p99Ms(),
        ph.interrupted(),
        ph.rerun(),
        ph.notNeeded(),
        f.finalStates(),
        f.starts(),
        f.ranAgain(),
        f.resultWithoutRun(),
        f.succeededWithError(),
        submitSeconds,
        chaosSeconds,
        drainSeconds,
        loadAverage,
        runDir);
  }
}
