package dev.offload.chaos;

import dev.offload.JobState;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Turns the workers' events logs, the store's final state and the harness's own disruptions into
 * {@link Figures}. Pure: no I/O, so every definition is tested on made-up logs.
 *
 * <p>Design: the events logs are the ground truth of what task code ran (a worker writes a line,
 * unbuffered, right before and after the task's code); the store says what it kept. A "run" is one
 * start line and the end line of the same job, attempt and process that follows it (none if the
 * process was killed first). The chaos task's result names the attempt and process that produced
 * it, which ties the kept result to one run.
 */
final class Analysis {
  private static final int EXAMPLES = 10;

  /** One execution of task code: a start line and, unless the process died, its end line. */
  record Run(String job, int attempt, long pid, Instant start, Instant end, String outcome) {}

  private Analysis() {}

  static Figures analyze(
      Collection<String> submitted,
      Map<String, FinalJob> finals,
      List<WorkerEvent> events,
      List<Disruption> disruptions) {
    Map<String, List<Run>> runs = runs(events);
    Map<String, List<String>> examples = new LinkedHashMap<>();
    long lost = 0;
    long completedTwice = 0;
    long chargedNeverRan = 0;
    long resultWithoutRun = 0;
    long ranAgain = 0;
    long succeededWithError = 0;
    Map<String, Long> states = new TreeMap<>();
    for (String id : submitted) {
      FinalJob f = finals.get(id);
      List<Run> jobRuns = runs.getOrDefault(id, List.of());
      if (jobRuns.size() > 1) {
        ranAgain++;
      }
      if (f == null) {
        lost++;
        example(examples, "lost", id);
        states.merge("missing", 1L, Long::sum);
        continue;
      }
      states.merge(f.state().wireName(), 1L, Long::sum);
      if (!f.state().isTerminal()) {
        lost++;
        example(examples, "lost", id);
      }
      Set<Integer> started = new HashSet<>();
      jobRuns.forEach(r -> started.add(r.attempt()));
      if (f.attempts() > started.size()) {
        chargedNeverRan++;
        example(examples, "chargedNeverRan", id);
      }
      if (f.state() == JobState.SUCCEEDED) {
        if (f.hasError()) {
          succeededWithError++;
        }
        Run kept =
            jobRuns.stream()
                .filter(r -> r.attempt() == f.resultAttempt() && r.pid() == f.resultPid())
                .filter(r -> "succeeded".equals(r.outcome()))
                .max(Comparator.comparing(Run::start))
                .orElse(null);
        if (kept == null) {
          resultWithoutRun++;
          completedTwice++;
          example(examples, "resultWithoutRun", id);
        } else if (jobRuns.stream().anyMatch(r -> r != kept && r.start().isAfter(kept.start()))) {
          completedTwice++;
          example(examples, "completedTwice", id);
        }
      }
    }
    long starts = runs.values().stream().mapToLong(List::size).sum();
    return new Figures(
        submitted.size(),
        lost,
        completedTwice,
        chargedNeverRan,
        resultWithoutRun,
        ranAgain,
        succeededWithError,
        starts,
        states,
        latency(Disruption.Kind.KILL, disruptions, runs, finals),
        heldLatency(Disruption.Kind.KILL, disruptions, runs, finals),
        latency(Disruption.Kind.PAUSE, disruptions, runs, finals),
        heldLatency(Disruption.Kind.PAUSE, disruptions, runs, finals),
        examples);
  }

  /** Pairs each start line with the end line of the same job, attempt and process after it. */
  static Map<String, List<Run>> runs(List<WorkerEvent> events) {
    List<WorkerEvent> sorted = new ArrayList<>(events);
    sorted.sort(Comparator.comparing(WorkerEvent::time));
    Map<String, List<Run>> byJob = new HashMap<>();
    Map<String, Integer> open = new HashMap<>(); // job|attempt|pid -> index in byJob list
    for (WorkerEvent e : sorted) {
      String key = e.job() + "|" + e.attempt() + "|" + e.pid();
      List<Run> list = byJob.computeIfAbsent(e.job(), k -> new ArrayList<>());
      if (e.start()) {
        open.put(key, list.size());
        list.add(new Run(e.job(), e.attempt(), e.pid(), e.time(), null, null));
      } else {
        Integer i = open.remove(key);
        if (i != null) {
          Run r = list.get(i);
          list.set(i, new Run(r.job(), r.attempt(), r.pid(), r.start(), e.time(), e.outcome()));
        }
      }
    }
    return byJob;
  }

  private static Figures.Latency latency(
      Disruption.Kind kind,
      List<Disruption> disruptions,
      Map<String, List<Run>> runs,
      Map<String, FinalJob> finals) {
    List<Long> millis = new ArrayList<>();
    long interrupted = 0;
    long notNeeded = 0;
    long never = 0;
    for (Disruption d : disruptions) {
      if (d.kind() != kind) {
        continue;
      }
      for (List<Run> jobRuns : runs.values()) {
        for (Run r : jobRuns) {
          boolean hit =
              r.pid() == d.pid()
                  && !r.start().isAfter(d.at())
                  && (r.end() == null || r.end().isAfter(d.at()));
          if (!hit) {
            continue;
          }
          interrupted++;
          Run next = nextStart(jobRuns, d);
          if (next != null) {
            millis.add(Duration.between(d.at(), next.start()).toMillis());
          } else if (needsNoRerun(finals.get(r.job()), d)) {
            notNeeded++;
          } else {
            never++;
          }
        }
      }
    }
    return latency(interrupted, millis, notNeeded, never);
  }

  /**
   * From each disruption of {@code kind} to the next start of every job the store showed leased to
   * the victim (for a pause: the next start in another process).
   */
  private static Figures.Latency heldLatency(
      Disruption.Kind kind,
      List<Disruption> disruptions,
      Map<String, List<Run>> runs,
      Map<String, FinalJob> finals) {
    List<Long> millis = new ArrayList<>();
    long held = 0;
    long notNeeded = 0;
    long never = 0;
    for (Disruption d : disruptions) {
      if (d.kind() != kind) {
        continue;
      }
      for (String job : d.held()) {
        held++;
        Run next = nextStart(runs.getOrDefault(job, List.of()), d);
        if (next != null) {
          millis.add(Duration.between(d.at(), next.start()).toMillis());
        } else if (needsNoRerun(finals.get(job), d)) {
          notNeeded++;
        } else {
          never++;
        }
      }
    }
    return latency(held, millis, notNeeded, never);
  }

  /**
   * The first start of the job after disruption {@code d}: anywhere after a kill (a restarted
   * worker has a new pid anyway), in another process after a pause.
   */
  private static Run nextStart(List<Run> jobRuns, Disruption d) {
    return jobRuns.stream()
        .filter(o -> o.pid() != d.pid() || d.kind() == Disruption.Kind.KILL)
        .filter(o -> o.start().isAfter(d.at()))
        .min(Comparator.comparing(Run::start))
        .orElse(null);
  }

  /** Finished by the disrupted process itself, or out of attempts: no rerun was due. */
  private static boolean needsNoRerun(FinalJob f, Disruption d) {
    return f != null
        && (f.state() == JobState.SUCCEEDED && f.resultPid() == d.pid()
            || f.state().isTerminal() && f.attempts() >= f.maxAttempts());
  }

  private static Figures.Latency latency(
      long interrupted, List<Long> millis, long notNeeded, long never) {
    millis.sort(null);
    return new Figures.Latency(
        interrupted,
        millis.size(),
        notNeeded,
        never,
        percentile(millis, 50),
        percentile(millis, 99),
        millis.isEmpty() ? null : millis.getLast());
  }

  /** Nearest-rank percentile; {@code null} for no values. */
  static Long percentile(List<Long> sorted, int p) {
    if (sorted.isEmpty()) {
      return null;
    }
    int rank = (int) Math.ceil(p / 100.0 * sorted.size());
    return sorted.get(Math.max(0, rank - 1));
  }

  private static void example(Map<String, List<String>> examples, String figure, String id) {
    List<String> list = examples.computeIfAbsent(figure, k -> new ArrayList<>());
    if (list.size() < EXAMPLES) {
      list.add(id);
    }
  }
}
