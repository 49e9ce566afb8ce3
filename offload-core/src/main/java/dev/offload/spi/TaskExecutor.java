package dev.offload.spi;

import dev.offload.Task;
import dev.offload.TaskContext;
import java.util.concurrent.CompletableFuture;

/**
 * Runs task attempts somewhere: on the in-process CPU pool (the default), or in supervised child
 * processes. Chosen per task through the Offload builder.
 *
 * <p>Contract: {@link #execute} never blocks for capacity: when full it throws {@link
 * dev.offload.QueueFullException} at once. Cancelling the returned future ({@code cancel(true)})
 * must stop the work: interrupt the thread and set {@link TaskContext#isCancelled()}, or signal and
 * then kill the child process.
 */
public interface TaskExecutor extends AutoCloseable {

  /** Starts one attempt of {@code task}; the future completes with its output or its exception. */
  <I, O> CompletableFuture<O> execute(Task<I, O> task, I input, TaskContext context);

  /** How many attempts run at once at most. */
  int parallelism();

  /** A snapshot of the load, for metrics and back-pressure. */
  ExecutorStats stats();

  /** Stops taking work; attempts in flight keep running until they end or are cancelled. */
  @Override
  void close();

  /**
   * Executor load.
   *
   * @param parallelism attempts that may run at once
   * @param active attempts running now
   * @param queued attempts waiting for a thread or child
   * @param queueCapacity how many may wait before {@code execute} refuses
   */
  record ExecutorStats(int parallelism, int active, int queued, int queueCapacity) {}
}
