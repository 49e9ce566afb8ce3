package dev.offload;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * Offload's entry point: run CPU-bound work on every core now (and wait), or as durable background
 * jobs. One instance per application; thread-safe; callers may be virtual threads (CPU work never
 * runs on one). Close it to shut down gracefully.
 *
 * <pre>{@code
 * try (Offload offload = Offload.builder().tasks(registry).build()) {
 *   HashOut out = offload.run(hash, new HashIn("abc", 1000));         // offload and wait
 *   List<HashOut> outs = offload.map(hash, inputs);                   // across cores, in order
 *   Job job = offload.submit(JobSpec.of("hash", new HashIn("abc", 1)).maxAttempts(5));
 *   Job done = offload.await(job.id(), Duration.ofSeconds(5));
 * }
 * }</pre>
 */
public interface Offload extends AutoCloseable {

  /** A builder with the embedded defaults: in-memory store, a pool sized to the cores. */
  static OffloadBuilder builder() {
    return new OffloadBuilder();
  }

  // ---- offload and wait -------------------------------------------------------------------

  /**
   * Runs {@code task} on the CPU pool and waits for its output. If the calling thread is
   * interrupted, the work is cancelled.
   *
   * @throws TaskFailedException when the task throws
   * @throws QueueFullException when the pool's queue is full
   */
  <I, O> O run(Task<I, O> task, I input);

  /**
   * {@link #run} with a time limit; past it the work is cancelled and it throws {@link
   * TaskTimeoutException}.
   */
  <I, O> O run(Task<I, O> task, I input, Duration timeout);

  /** Starts {@code task} on the CPU pool; cancelling the future cancels the work. */
  <I, O> CompletableFuture<O> runAsync(Task<I, O> task, I input);

  /** {@link #runAsync} with a time limit ({@code null}: none). */
  <I, O> CompletableFuture<O> runAsync(Task<I, O> task, I input, Duration timeout);

  /**
   * Runs {@code task} over every input across the cores and returns the outputs in input order.
   * Fails fast: the first failure cancels the rest and throws {@link MapException} with its index.
   */
  <I, O> List<O> map(Task<I, O> task, List<? extends I> inputs);

  /** {@link #map} without waiting; cancelling the future cancels every element. */
  <I, O> CompletableFuture<List<O>> mapAsync(Task<I, O> task, List<? extends I> inputs);

  /** Like {@link #map} but runs every element and reports each one's value or error. */
  <I, O> List<Outcome<O>> mapOutcomes(Task<I, O> task, List<? extends I> inputs);

  /**
   * Runs a task by name with JSON input and output, for edges that speak JSON (HTTP, CLI).
   *
   * @throws TaskNotFoundException when no such task exists
   * @throws InvalidInputException when {@code input} does not fit the task's input type
   */
  CompletableFuture<JsonNode> runJson(String task, JsonNode input, Duration timeout);

  /** {@link #mapAsync} by name with JSON elements. */
  CompletableFuture<List<JsonNode>> mapJson(String task, List<JsonNode> inputs);

  // ---- background jobs --------------------------------------------------------------------

  /**
   * Stores a job and returns it at once ({@code QUEUED} or {@code SCHEDULED}). With an idempotency
   * key already used, returns the earlier job instead.
   *
   * @throws TaskNotFoundException when no such task exists
   * @throws InvalidInputException when the input does not fit the task
   */
  Job submit(JobSpec spec);

  /** {@link #submit} for many jobs in one store round trip. */
  List<Job> submitAll(List<JobSpec> specs);

  /**
   * @throws JobNotFoundException when there is no such job
   */
  Job job(JobId id);

  Optional<Job> findJob(JobId id);

  /** Waits until the job is terminal or {@code timeout} passes; returns the job as it is then. */
  Job await(JobId id, Duration timeout) throws InterruptedException;

  /**
   * The output of a succeeded job, as {@code type}.
   *
   * @throws TaskFailedException when the job failed or was cancelled
   * @throws IllegalStateException when the job has not finished
   */
  <O> O result(JobId id, Class<O> type);

  /** Cancels a pending or running job; returns it as it is after the call. */
  Job cancel(JobId id);

  /** Puts a failed or cancelled job back in its queue. */
  Job retry(JobId id);

  /** Deletes a job that is not running; returns whether it existed. */
  boolean delete(JobId id);

  Page<Job> jobs(JobQuery query);

  JobCounts counts();

  /**
   * Finished jobs the store dropped before {@code resultRetention} ended, because a size cap the
   * user set was reached (0 without a cap; counted since the store was opened).
   */
  default long finishedDropped() {
    return 0;
  }

  /** Workers sharing this store that reported recently. */
  List<WorkerInfo> workers();

  /**
   * Job changes as they happen (this instance's, and other processes' where the store pushes them).
   */
  AutoCloseable subscribe(Consumer<JobEvent> listener);

  // ---- the instance -----------------------------------------------------------------------

  TaskRegistry tasks();

  /** Load of the in-process CPU pool. */
  dev.offload.spi.TaskExecutor.ExecutorStats poolStats();

  /**
   * Load of every executor this instance runs work on, by name: {@code "cpu"} for the in-process
   * pool, {@code "task:NAME"} for each task given its own executor with {@code
   * OffloadBuilder.executor(name, executor)} (a child-process pool reports its children: how many
   * it keeps, how many are busy, how many attempts wait). The keys are fixed for the instance's
   * life.
   */
  java.util.Map<String, dev.offload.spi.TaskExecutor.ExecutorStats> executorStats();

  /** Whether the store answers. */
  boolean isReady();

  /**
   * Stops taking work, lets running attempts finish within the configured grace period, releases
   * the rest back to the store, and closes the store.
   */
  @Override
  void close();
}
