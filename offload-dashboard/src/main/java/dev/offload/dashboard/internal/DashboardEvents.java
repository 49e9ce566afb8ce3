package dev.offload.dashboard.internal;

import dev.offload.JobEvent;
import dev.offload.JobState;
import java.time.Duration;
import java.util.function.Consumer;

/**
 * Feeds job events into the history and the per-minute series. Runs on the engine's threads, so it
 * only touches memory. Durations come from pairs of events: queued → running is the wait, running →
 * the attempt's end is the run time (a scheduled job's wait is not known from events alone, so only
 * jobs that were queued to run at once contribute waits).
 */
public final class DashboardEvents implements Consumer<JobEvent> {
  private final JobHistory history;
  private final SeriesBuffer series;

  public DashboardEvents(JobHistory history, SeriesBuffer series) {
    this.history = history;
    this.series = series;
  }

  @Override
  public void accept(JobEvent e) {
    if (e.state() == JobState.RUNNING && e.progress() != null) {
      return;
    }
    JobHistory.Transition previous = history.add(e);
    switch (e.state()) {
      case QUEUED, SCHEDULED -> {
        if (e.attempt() == 0) {
          series.submitted();
        } else if (e.state() == JobState.SCHEDULED) {
          series.retried(since(previous, JobState.RUNNING, e.attempt(), e));
        }
      }
      case RUNNING -> series.started(since(previous, JobState.QUEUED, e.attempt() - 1, e));
      case SUCCEEDED, FAILED, CANCELLED ->
          series.finished(e.queue(), e.state(), since(previous, JobState.RUNNING, e.attempt(), e));
    }
  }

  private static Duration since(
      JobHistory.Transition previous, JobState state, int attempt, JobEvent now) {
    if (previous == null
        || previous.state() != state
        || previous.attempt() != attempt
        || previous.at() == null
        || now.at() == null) {
      return null;
    }
    Duration d = Duration.between(previous.at(), now.at());
    return d.isNegative() ? Duration.ZERO : d;
  }
}
