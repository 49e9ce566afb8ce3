package dev.offload.internal.pool;

import java.util.concurrent.CompletableFuture;

/**
 * A unit of pool work that is also its own future. Cancelling it interrupts the thread running it,
 * but only while it runs: the runner is set and cleared under the same lock the interrupt takes,
 * and the worker clears any interrupt that lands after the body ended, so a late cancel never hits
 * the next task on that thread.
 */
public final class PoolTask<O> extends CompletableFuture<O> implements Runnable {
  /** The work; may throw anything, which fails the future. */
  @FunctionalInterface
  public interface Body<O> {
    O call() throws Exception;
  }

  private final Body<O> body;
  private Thread runner;

  PoolTask(Body<O> body) {
    this.body = body;
  }

  @Override
  public void run() {
    synchronized (this) {
      if (isDone()) {
        return;
      }
      runner = Thread.currentThread();
    }
    try {
      complete(body.call());
    } catch (Throwable t) {
      completeExceptionally(t);
    } finally {
      synchronized (this) {
        runner = null;
      }
      Thread.interrupted();
    }
  }

  @Override
  public boolean cancel(boolean mayInterruptIfRunning) {
    boolean cancelled = super.cancel(mayInterruptIfRunning);
    if (mayInterruptIfRunning) {
      synchronized (this) {
        if (runner != null) {
          runner.interrupt();
        }
      }
    }
    return cancelled;
  }
}
