package dev.offload.internal;

import dev.offload.InvalidInputException;
import dev.offload.JobError;
import dev.offload.JobId;
import dev.offload.MapException;
import dev.offload.OffloadException;
import dev.offload.Outcome;
import dev.offload.Task;
import dev.offload.TaskFailedException;
import dev.offload.TaskTimeoutException;
import dev.offload.internal.AttemptContext.StopReason;
import dev.offload.internal.pool.CpuPool;
import dev.offload.spi.TaskExecutor;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * Offload-and-wait: single runs and parallel maps on an executor, with time limits and cancellation
 * flowing from the caller's future to the work.
 */
final class DirectRunner {
  private final Function<String, TaskExecutor> executors;
  private final ScheduledExecutorService timer;
  private final InstantSource clock;

  DirectRunner(
      Function<String, TaskExecutor> executors,
      ScheduledExecutorService timer,
      InstantSource clock) {
    this.executors = executors;
    this.timer = timer;
    this.clock = clock;
  }

  <I, O> CompletableFuture<O> runAsync(Task<I, O> task, I input, Duration timeout) {
    AttemptContext ctx =
        new AttemptContext(
            JobId.newId(clock.instant()),
            1,
            timeout == null ? null : clock.instant().plus(timeout));
    CompletableFuture<O> work = executors.apply(task.name()).execute(task, input, ctx);
    ctx.bind(work);
    CompletableFuture<O> result = new CompletableFuture<>();
    ScheduledFuture<?> limit =
        timeout == null
            ? null
            : timer.schedule(
                () -> {
                  if (ctx.stop(StopReason.TIMED_OUT)) {
                    result.completeExceptionally(new TaskTimeoutException(task.name(), timeout));
                  }
                },
                timeout.toNanos(),
                TimeUnit.NANOSECONDS);
    work.whenComplete((value, error) -> {
      if (limit != null) {
        limit.cancel(false);
      }
      // The stop reason wins over the value: a task that noticed the time limit and returned
      // early still timed out.
      if (ctx.stopReason() == StopReason.TIMED_OUT) {
        result.completeExceptionally(new TaskTimeoutException(task.name(), timeout));
      } else if (error == null) {
        result.complete(value);
      } else {
        result.completeExceptionally(failure(task.name(), error));
      }
    });
    // Cancelling the caller's future (or its timing out in orTimeout) stops the work.
    result.whenComplete((value, error) -> {
      if (result.isCancelled()) {
        ctx.stop(StopReason.CANCELLED);
      }
    });
    return result;
  }

  /**
   * Maps {@code task} over {@code inputs}. On a {@link CpuPool} a few runners (one per thread) take
   * shrinking chunks of indices from a shared counter (guided self-scheduling): tiny elements cost
   * one hand-off per chunk, not per element, and the last chunks are small so no core idles at the
   * end while another finishes a big chunk. Other executors get one attempt per element.
   */
  <I, O> CompletableFuture<List<Outcome<O>>> map(
      Task<I, O> task, List<? extends I> inputs, boolean failFast) {
    List<I> items = List.copyOf(inputs);
    int n = items.size();
    if (n == 0) {
      return CompletableFuture.completedFuture(List.of());
    }
    TaskExecutor executor = executors.apply(task.name());
    MapRun<I, O> run = new MapRun<>(task, items, failFast, clock);
    if (executor instanceof CpuPool pool) {
      // A task that maps from inside the pool must not block its thread waiting for runners that
      // may never get one: it drains chunks itself as well.
      boolean assist = pool.isPoolThread();
      run.startOnPool(pool, assist);
      if (assist) {
        run.drain();
      }
    } else {
      run.startPerElement(executor);
    }
    return run.result;
  }

  /** Turns a failed attempt's exception into what the caller sees. */
  static RuntimeException failure(String taskName, Throwable error) {
    Throwable cause = unwrap(error);
    if (cause instanceof InvalidInputException
        || cause instanceof TaskTimeoutException
        || cause instanceof TaskFailedException
        || cause instanceof CancellationException) {
      return (RuntimeException) cause;
    }
    if (cause instanceof OffloadException oe && !(cause instanceof MapException)) {
      return oe;
    }
    return new TaskFailedException(taskName, JobError.of(cause), cause);
  }

  static Throwable unwrap(Throwable t) {
    while (t instanceof CompletionException && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }

  /** One parallel map in flight. */
  private static final class MapRun<I, O> {
    private final Task<I, O> task;
    private final List<I> items;
    private final boolean failFast;
    private final Object[] values;
    private final JobError[] errors;
    private final AtomicInteger next = new AtomicInteger();
    private final AtomicInteger remaining;
    private final JobId callId;
    private final List<CompletableFuture<?>> parts = new ArrayList<>();
    final CompletableFuture<List<Outcome<O>>> result = new CompletableFuture<>();
    private volatile boolean stopped;
    private int runners;

    MapRun(Task<I, O> task, List<I> items, boolean failFast, InstantSource clock) {
      this.task = task;
      this.items = items;
      this.failFast = failFast;
      this.values = new Object[items.size()];
      this.errors = new JobError[items.size()];
      this.remaining = new AtomicInteger(items.size());
      this.callId = JobId.newId(clock.instant());
      result.whenComplete((v, e) -> {
        if (e != null) {
          stop();
        }
      });
    }

    void startOnPool(CpuPool pool, boolean assist) {
      runners = Math.min(pool.parallelism(), items.size());
      synchronized (parts) {
        for (int r = 0; r < runners; r++) {
          try {
            parts.add(pool.submit(this::drain));
          } catch (RuntimeException e) {
            // Runners already started keep taking chunks; only fail when none could start.
            if (r == 0 && !assist) {
              result.completeExceptionally(e);
              return;
            }
            break;
          }
        }
      }
    }

    Void drain() {
      int n = items.size();
      int p = Math.max(1, runners);
      while (!stopped) {
        int start = next.get();
        if (start >= n) {
          break;
        }
        int chunk = Math.max(1, (n - start) / (2 * p));
        if (!next.compareAndSet(start, start + chunk)) {
          continue;
        }
        int end = Math.min(n, start + chunk);
        for (int i = start; i < end; i++) {
          if (stopped) {
            return null;
          }
          runOne(i);
        }
      }
      return null;
    }

    private void runOne(int index) {
      AttemptContext ctx = new AttemptContext(callId, 1, null);
      try {
        values[index] = task.run(items.get(index), ctx);
        elementDone();
      } catch (Throwable t) {
        if (stopped) {
          return;
        }
        elementFailed(index, t);
      }
    }

    void startPerElement(TaskExecutor executor) {
      // Feeds a window of parallelism * 2 attempts so a long list does not overflow the executor.
      int window = Math.max(1, executor.parallelism() * 2);
      for (int w = 0; w < Math.min(window, items.size()); w++) {
        feed(executor);
      }
    }

    private void feed(TaskExecutor executor) {
      int index = next.getAndIncrement();
      if (index >= items.size() || stopped) {
        return;
      }
      AttemptContext ctx = new AttemptContext(callId, 1, null);
      CompletableFuture<O> f;
      try {
        f = executor.execute(task, items.get(index), ctx);
      } catch (RuntimeException e) {
        elementFailed(index, e);
        return;
      }
      ctx.bind(f);
      synchronized (parts) {
        parts.add(f);
      }
      f.whenComplete((value, error) -> {
        if (error == null) {
          values[index] = value;
          elementDone();
        } else if (!stopped) {
          elementFailed(index, unwrap(error));
        }
        feed(executor);
      });
    }

    private void elementDone() {
      if (remaining.decrementAndGet() == 0) {
        finish();
      }
    }

    private void elementFailed(int index, Throwable t) {
      if (failFast) {
        stopped = true;
        result.completeExceptionally(new MapException(index, failure(task.name(), t)));
        return;
      }
      errors[index] = errorOf(t);
      elementDone();
    }

    private static JobError errorOf(Throwable t) {
      if (t instanceof InvalidInputException e) {
        return new JobError(JobError.INVALID_INPUT, e.getMessage(), null);
      }
      if (t instanceof CancellationException) {
        return new JobError(JobError.CANCELLED, "cancelled", null);
      }
      return JobError.of(t);
    }

    @SuppressWarnings("unchecked")
    private void finish() {
      List<Outcome<O>> outcomes = new ArrayList<>(values.length);
      for (int i = 0; i < values.length; i++) {
        outcomes.add(
            errors[i] == null ? Outcome.success((O) values[i]) : Outcome.failure(errors[i]));
      }
      result.complete(Collections.unmodifiableList(outcomes));
    }

    private void stop() {
      stopped = true;
      synchronized (parts) {
        for (CompletableFuture<?> part : parts) {
          part.cancel(true);
        }
      }
    }
  }
}
