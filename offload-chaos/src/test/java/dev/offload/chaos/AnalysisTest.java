package dev.offload.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import dev.offload.JobState;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Each figure's definition (docs/CHAOS.md) on made-up events logs and final states. */
class AnalysisTest {
  private static final Instant T = Instant.parse("2026-12-03T12:00:00Z");
  private static final long A = 100;
  private static final long B = 200;

  private static Instant at(long ms) {
    return T.plusMillis(ms);
  }

  private static FinalJob succeeded(String id, int attempts, int resultAttempt, long resultPid) {
    return new FinalJob(id, JobState.SUCCEEDED, attempts, 3, resultAttempt, resultPid);
  }

  private static List<WorkerEvent> run(String job, int attempt, long pid, long from, Long to) {
    List<WorkerEvent> e = new ArrayList<>();
    e.add(WorkerEvent.start(job, attempt, pid, at(from)));
    if (to != null) {
      e.add(WorkerEvent.end(job, attempt, pid, at(to), "succeeded"));
    }
    return e;
  }

  @Test
  void aCleanRunMeetsTheTargets() {
    Figures f =
        Analysis.analyze(
            List.of("j1"),
            Map.of("j1", succeeded("j1", 1, 1, A)),
            run("j1", 1, A, 0, 10L),
            List.of());
    assertThat(f.targetsMet()).isTrue();
    assertThat(f.starts()).isEqualTo(1);
    assertThat(f.finalStates()).containsEntry("succeeded", 1L);
    assertThat(f.succeededWithError()).isZero();

    FinalJob withError = new FinalJob("j1", JobState.SUCCEEDED, 1, 3, 1, A, true);
    assertThat(
            Analysis.analyze(
                    List.of("j1"), Map.of("j1", withError), run("j1", 1, A, 0, 10L), List.of())
                .succeededWithError())
        .isEqualTo(1);
  }

  @Test
  void aMissingOrUnfinishedJobIsLost() {
    Figures f =
        Analysis.analyze(
            List.of("j1", "j2"),
            Map.of("j2", new FinalJob("j2", JobState.RUNNING, 1, 3, 0, 0)),
            run("j2", 1, A, 0, null),
            List.of());
    assertThat(f.lost()).isEqualTo(2);
    assertThat(f.examples().get("lost")).containsExactlyInAnyOrder("j1", "j2");
  }

  @Test
  void anAttemptChargedForAPrefetchedJobThatNeverRanIsCounted() {
    // Attempt 1 was claimed and prefetched by a worker that died before starting it; attempt 2 ran.
    Figures f =
        Analysis.analyze(
            List.of("j1", "j2"),
            Map.of(
                "j1",
                succeeded("j1", 2, 2, B),
                "j2",
                new FinalJob("j2", JobState.FAILED, 1, 1, 0, 0)),
            run("j1", 2, B, 0, 5L),
            List.of());
    assertThat(f.chargedNeverRan()).isEqualTo(2);
    assertThat(f.lost()).isZero();
  }

  @Test
  void aResultFromAnAttemptOvertakenByALaterRunIsCompletedTwice() {
    // Attempt 1 (pid A) lost its lease; attempt 2 (pid B) started later, yet A's result was kept.
    List<WorkerEvent> events = new ArrayList<>(run("j1", 1, A, 0, 5_000L));
    events.addAll(run("j1", 2, B, 3_000, 3_010L));
    Figures f =
        Analysis.analyze(List.of("j1"), Map.of("j1", succeeded("j1", 2, 1, A)), events, List.of());
    assertThat(f.completedTwice()).isEqualTo(1);
    assertThat(f.ranAgain()).isEqualTo(1);

    Figures fine =
        Analysis.analyze(List.of("j1"), Map.of("j1", succeeded("j1", 2, 2, B)), events, List.of());
    assertThat(fine.completedTwice()).isZero();
    assertThat(fine.ranAgain()).isEqualTo(1);
  }

  @Test
  void aResultThatNoLoggedRunProducedIsCounted() {
    Figures f =
        Analysis.analyze(
            List.of("j1"),
            Map.of("j1", succeeded("j1", 1, 1, B)),
            run("j1", 1, A, 0, 10L),
            List.of());
    assertThat(f.resultWithoutRun()).isEqualTo(1);
    assertThat(f.completedTwice()).isEqualTo(1);
  }

  @Test
  void killToRerunIsTheTimeToTheNextStartOfEachJobTheKilledWorkerWasRunning() {
    List<WorkerEvent> events = new ArrayList<>();
    events.addAll(run("j1", 1, A, 0, null)); // running when A is killed at 1000
    events.addAll(run("j1", 2, B, 3_500, 3_600L));
    events.addAll(run("j2", 1, A, 0, 500L)); // had ended: not interrupted
    events.addAll(run("j3", 1, A, 900, null)); // running, out of attempts: not rerun
    Figures f =
        Analysis.analyze(
            List.of("j1", "j2", "j3"),
            Map.of(
                "j1", succeeded("j1", 2, 2, B),
                "j2", succeeded("j2", 1, 1, A),
                "j3", new FinalJob("j3", JobState.FAILED, 1, 1, 0, 0)),
            events,
            List.of(new Disruption(Disruption.Kind.KILL, at(1_000), A)));
    assertThat(f.killToRerun().interrupted()).isEqualTo(2);
    assertThat(f.killToRerun().rerun()).isEqualTo(1);
    assertThat(f.killToRerun().notNeeded()).isEqualTo(1);
    assertThat(f.killToRerun().p50Ms()).isEqualTo(2_500L);
    assertThat(f.killToRerun().p99Ms()).isEqualTo(2_500L);
    assertThat(f.pauseToRerun().interrupted()).isZero();
  }

  @Test
  void heldToRerunCoversPrefetchedJobsThatNeverStartedOnTheKilledWorker() {
    List<WorkerEvent> events = new ArrayList<>();
    events.addAll(run("j1", 1, A, 0, null)); // running on A when it is killed at 1000
    events.addAll(run("j1", 2, B, 3_000, 3_100L));
    events.addAll(run("j2", 2, B, 4_000, 4_100L)); // prefetched by A, never started there
    Figures f =
        Analysis.analyze(
            List.of("j1", "j2", "j3"),
            Map.of(
                "j1", succeeded("j1", 2, 2, B),
                "j2", succeeded("j2", 2, 2, B),
                "j3", new FinalJob("j3", JobState.FAILED, 1, 1, 0, 0)),
            events,
            List.of(new Disruption(Disruption.Kind.KILL, at(1_000), A, List.of("j1", "j2", "j3"))));
    assertThat(f.heldToRerun().interrupted()).isEqualTo(3);
    assertThat(f.heldToRerun().rerun()).isEqualTo(2);
    assertThat(f.heldToRerun().notNeeded()).isEqualTo(1);
    assertThat(f.heldToRerun().p50Ms()).isEqualTo(2_000L);
    assertThat(f.heldToRerun().maxMs()).isEqualTo(3_000L);
    assertThat(f.killToRerun().interrupted()).isEqualTo(1);
    assertThat(f.chargedNeverRan()).isEqualTo(2); // j2 charged for A's prefetch, j3 never ran
  }

  @Test
  void percentilesAreNearestRank() {
    List<Long> values = new ArrayList<>();
    for (long i = 1; i <= 200; i++) {
      values.add(i);
    }
    assertThat(Analysis.percentile(values, 50)).isEqualTo(100L);
    assertThat(Analysis.percentile(values, 99)).isEqualTo(198L);
    assertThat(Analysis.percentile(List.of(), 99)).isNull();
  }

  @Test
  void eventsLogLinesParseAndATornLineIsSkipped() {
    WorkerEvent e =
        WorkerEvent.parse(
            "{\"event\":\"end\",\"job\":\"j1\",\"attempt\":2,\"task\":\"chaos\",\"worker\":\"w\","
                + "\"pid\":7,\"time\":\"2026-12-03T12:00:00.123456Z\",\"outcome\":\"failed\"}");
    assertThat(e.start()).isFalse();
    assertThat(e.attempt()).isEqualTo(2);
    assertThat(e.pid()).isEqualTo(7);
    assertThat(e.outcome()).isEqualTo("failed");
    assertThat(e.time()).isEqualTo(Instant.parse("2026-12-03T12:00:00.123456Z"));
    assertThat(WorkerEvent.parse("{\"event\":\"start\",\"job\":\"j")).isNull();
  }
}
