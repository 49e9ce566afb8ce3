package dev.offload.internal.pool;

import dev.offload.QueueFullException;
import dev.offload.ShuttingDownException;
import dev.offload.Task;
import dev.offload.TaskContext;
import dev.offload.spi.TaskExecutor;
import java.time.Duration;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The in-process executor: a fixed number of platform threads (CPU work never runs on a virtual
 * thread, where it would pin a carrier) in front of a bounded queue. When the queue is full it
 * refuses at once with {@link QueueFullException}: back-pressure goes to the caller, never into an
 * unbounded backlog.
 */
public final class CpuPool implements TaskExecutor {
  private static final AtomicInteger POOLS = new AtomicInteger();

  private final ThreadPoolExecutor executor;
  private final int threads;
  private final int queueCapacity;
  private final ThreadGroup group;

  public CpuPool(int threads, int queueCapacity) {
    if (threads < 1) {
      throw new IllegalArgumentException("threads must be >= 1, was " + threads);
    }
    if (queueCapacity < 1) {
      throw new IllegalArgumentException("queueCapacity must be >= 1, was " + queueCapacity);
    }
    this.threads = threads;
    this.queueCapacity = queueCapacity;
    int poolNumber = POOLS.incrementAndGet();
    this.group = new ThreadGroup("offload-cpu-" + poolNumber);
    AtomicInteger count = new AtomicInteger();
    ThreadFactory factory =
        r -> {
          Thread t =
              new Thread(group, r, "offload-cpu-" + poolNumber + "-" + count.incrementAndGet());
          t.setDaemon(true);
          return t;
        };
    this.executor =
        new ThreadPoolExecutor(
            threads,
            threads,
            0,
            TimeUnit.MILLISECONDS,
            new ArrayBlockingQueue<>(queueCapacity),
            factory,
            new ThreadPoolExecutor.AbortPolicy());
    executor.prestartAllCoreThreads();
  }

  @Override
  public <I, O> CompletableFuture<O> execute(Task<I, O> task, I input, TaskContext context) {
    PoolTask<O> job = new PoolTask<>(() -> task.run(input, context));
    submit(job);
    return job;
  }

  /** Runs {@code body} on a pool thread; the future interrupts it when cancelled. */
  public <O> PoolTask<O> submit(PoolTask.Body<O> body) {
    PoolTask<O> job = new PoolTask<>(body);
    submit(job);
    return job;
  }

  private void submit(PoolTask<?> job) {
    try {
      executor.execute(job);
    } catch (RejectedExecutionException e) {
      if (executor.isShutdown()) {
        throw new ShuttingDownException("the CPU pool is shut down");
      }
      throw new QueueFullException(
          "the CPU pool's queue is full ("
              + queueCapacity
              + " waiting for "
              + threads
              + " threads); retry later",
          Duration.ofSeconds(1));
    }
  }

  /** Whether the calling thread is one of this pool's workers (nested work must not wait). */
  public boolean isPoolThread() {
    return Thread.currentThread().getThreadGroup() == group;
  }

  @Override
  public int parallelism() {
    return threads;
  }

  @Override
  public ExecutorStats stats() {
    return new ExecutorStats(
        threads, executor.getActiveCount(), executor.getQueue().size(), queueCapacity);
  }

  @Override
  public void close() {
    executor.shutdown();
  }

  /** Waits for queued and running work to end, up to {@code timeout}. */
  public boolean awaitTermination(Duration timeout) throws InterruptedException {
    return executor.awaitTermination(timeout.toNanos(), TimeUnit.NANOSECONDS);
  }
}
