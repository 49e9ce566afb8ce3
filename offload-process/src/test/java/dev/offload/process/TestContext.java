package dev.offload.process;

import dev.offload.JobId;
import dev.offload.TaskContext;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

/** A TaskContext that records progress, standing in for the engine's. */
final class TestContext implements TaskContext {
  private final JobId jobId = JobId.newId(Instant.now());
  private final int attempt;
  final List<Double> progress = new CopyOnWriteArrayList<>();

  TestContext() {
    this(1);
  }

  TestContext(int attempt) {
    this.attempt = attempt;
  }

  @Override
  public JobId jobId() {
    return jobId;
  }

  @Override
  public int attempt() {
    return attempt;
  }

  @Override
  public Optional<Instant> deadline() {
    return Optional.empty();
  }

  @Override
  public void progress(double fraction, String message) {
    progress.add(fraction);
  }

  @Override
  public boolean isCancelled() {
    return false;
  }
}
