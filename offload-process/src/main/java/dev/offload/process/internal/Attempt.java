package dev.offload.process.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.offload.Task;
import dev.offload.TaskContext;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;

/**
 * One attempt handed to the pool. Its mutable fields are guarded by the pool's lock; the future is
 * completed outside it.
 */
final class Attempt<I, O> {
  enum State {
    QUEUED,
    RUNNING,
    /** A cancel was sent (by the caller, or by the soft time limit). */
    CANCELLING,
    DONE
  }

  final String id;
  final Task<I, O> task;
  final JsonNode input;
  final TaskContext context;
  final Future<O> future;

  State state = State.QUEUED;
  Child child;
  boolean cancelledByCaller;
  boolean softLimitHit;
  long stderrMark;
  ScheduledFuture<?> softTimer;
  ScheduledFuture<?> hardTimer;
  ScheduledFuture<?> graceTimer;

  Attempt(String id, Task<I, O> task, JsonNode input, TaskContext context, ChildPool pool) {
    this.id = id;
    this.task = task;
    this.input = input;
    this.context = context;
    this.future = new Future<>(this, pool);
  }

  void cancelTimers() {
    if (softTimer != null) {
      softTimer.cancel(false);
    }
    if (hardTimer != null) {
      hardTimer.cancel(false);
    }
    if (graceTimer != null) {
      graceTimer.cancel(false);
    }
  }

  @Override
  public String toString() {
    return "attempt " + id + " of task '" + task.name() + "'";
  }

  /** A future whose {@code cancel} reaches the child (a plain CompletableFuture's does not). */
  static final class Future<O> extends CompletableFuture<O> {
    private final Attempt<?, O> attempt;
    private final ChildPool pool;

    Future(Attempt<?, O> attempt, ChildPool pool) {
      this.attempt = attempt;
      this.pool = pool;
    }

    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
      boolean cancelled = super.cancel(mayInterruptIfRunning);
      if (cancelled) {
        pool.cancel(attempt);
      }
      return cancelled;
    }

    @Override
    public <U> CompletableFuture<U> newIncompleteFuture() {
      return new CompletableFuture<>();
    }
  }
}
