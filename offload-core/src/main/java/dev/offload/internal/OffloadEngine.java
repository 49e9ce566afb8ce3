package dev.offload.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.offload.Job;
import dev.offload.JobCounts;
import dev.offload.JobError;
import dev.offload.JobEvent;
import dev.offload.JobId;
import dev.offload.JobNotFoundException;
import dev.offload.JobQuery;
import dev.offload.JobSpec;
import dev.offload.JobState;
import dev.offload.JobStores;
import dev.offload.Offload;
import dev.offload.Outcome;
import dev.offload.Page;
import dev.offload.ShuttingDownException;
import dev.offload.Task;
import dev.offload.TaskFailedException;
import dev.offload.TaskRegistry;
import dev.offload.WorkerInfo;
import dev.offload.internal.pool.CpuPool;
import dev.offload.spi.EnqueueResult;
import dev.offload.spi.JobStore;
import dev.offload.spi.TaskExecutor;
import dev.offload.spi.TaskExecutor.ExecutorStats;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The engine behind {@link Offload}: wires the CPU pool, the direct runner, the job worker, the
 * lease supervisor and the store, and owns their lifecycle. Each part has one job; this class only
 * routes calls and turns JSON edges into typed calls.
 */
public final class OffloadEngine implements Offload {
  private static final Logger log = LoggerFactory.getLogger(OffloadEngine.class);

  private final OffloadSettings settings;
  private final InstantSource clock;
  private final JsonCodec codec;
  private final TaskRegistry tasks;
  private final JobStore store;
  private final CpuPool pool;
  private final TaskExecutor defaultExecutor;
  private final ScheduledExecutorService timer;
  private final ScheduledExecutorService supervisor;
  private final ScheduledExecutorService leases;
  private final EventHub events = new EventHub();
  private final DirectRunner runner;
  private final JobWorker worker;
  private volatile AutoCloseable storeSubscription = () -> {};
  private volatile boolean accepting = true;
  private volatile boolean closed;

  private OffloadEngine(OffloadSettings settings, JobStore store) {
    this.settings = settings;
    this.clock = settings.clock();
    this.codec = new JsonCodec(settings.objectMapper());
    this.tasks = settings.tasks();
    this.store = store;
    this.pool = new CpuPool(settings.threads(), settings.queueCapacity());
    this.defaultExecutor = settings.executor() != null ? settings.executor() : pool;
    this.timer = scheduler("offload-timer");
    this.supervisor = scheduler("offload-supervisor");
    this.leases = scheduler("offload-lease");
    this.runner = new DirectRunner(this::executorFor, timer, clock);
    String workerId =
        settings.workerId() != null
            ? settings.workerId()
            : Hosts.name()
                + "-"
                + ProcessHandle.current().pid()
                + "-"
                + UUID.randomUUID().toString().substring(0, 8);
    this.worker =
        settings.workers()
            ? new JobWorker(
                store, tasks, this::executorFor, codec, events, timer, settings, workerId)
            : null;
  }

  /**
   * Starts an engine: opens the store, starts the pool and, when enabled, the worker. If any part
   * fails to start, what was started is stopped again and the store closed: a failed start leaks no
   * threads or connections.
   */
  public static Offload start(OffloadSettings settings) {
    JobStore store =
        settings.store() != null
            ? settings.store()
            : settings.storeUrl() != null
                ? JobStores.open(settings.storeUrl())
                : JobStores.inMemory();
    OffloadEngine engine = null;
    try {
      engine = new OffloadEngine(settings, store);
      engine.startBackground();
      return engine;
    } catch (RuntimeException | Error e) {
      try {
        if (engine != null) {
          engine.abandon();
        } else {
          store.close();
        }
      } catch (RuntimeException suppressed) {
        e.addSuppressed(suppressed);
      }
      throw e;
    }
  }

  /** Stops what a constructor or start that failed half-way had started. */
  private void abandon() {
    closed = true;
    accepting = false;
    leases.shutdownNow();
    supervisor.shutdownNow();
    timer.shutdownNow();
    if (worker != null) {
      worker.abandon();
    }
    try {
      storeSubscription.close();
    } catch (Exception e) {
      log.warn("closing the store subscription failed", e);
    }
    pool.close();
    store.close();
  }

  private void startBackground() {
    storeSubscription = store.subscribe(events::publish);
    long lease = settings.leaseDuration().toMillis();
    if (worker != null) {
      worker.start();
      // Renewal has a thread of its own: reaping and purging (or a slow answer to them) never
      // delay it, so a live worker's leases do not lapse behind housekeeping.
      long beat = Math.max(10, lease / 3);
      leases.scheduleWithFixedDelay(
          guarded("heartbeat", worker::heartbeat), beat, beat, TimeUnit.MILLISECONDS);
      long starts = Math.min(beat, START_REPORT_MILLIS);
      leases.scheduleWithFixedDelay(
          guarded("start report", worker::reportStarts), starts, starts, TimeUnit.MILLISECONDS);
    }
    // Any instance may reap: a crashed worker's jobs come back even if no other worker runs here.
    long reap = Math.max(10, lease / 2);
    supervisor.scheduleWithFixedDelay(
        guarded("reap", this::reap), reap, reap, TimeUnit.MILLISECONDS);
    long purge = Math.max(1_000, Math.min(60_000, settings.resultRetention().toMillis() / 4));
    supervisor.scheduleWithFixedDelay(
        guarded("purge", this::purge), purge, purge, TimeUnit.MILLISECONDS);
  }

  private static ScheduledExecutorService scheduler(String name) {
    ScheduledThreadPoolExecutor s =
        new ScheduledThreadPoolExecutor(
            1, r -> Thread.ofPlatform().daemon().name(name).unstarted(r));
    s.setRemoveOnCancelPolicy(true);
    s.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
    return s;
  }

  private static Runnable guarded(String what, Runnable r) {
    return () -> {
      try {
        r.run();
      } catch (RuntimeException e) {
        log.warn("{} failed; will try again", what, e);
      }
    };
  }

  /**
   * How soon after its task code starts a job shows {@code running} in the store: a job that ends
   * sooner costs no start write at all.
   */
  private static final long START_REPORT_MILLIS = 200;

  /** Lapsed leases reaped per store call; a full batch is followed by another at once. */
  private static final int REAP_BATCH = 500;

  /** Finished jobs deleted per store call, and the most batches one purge run deletes. */
  private static final int PURGE_BATCH = 1_000;

  private static final int PURGE_BATCHES_PER_RUN = 10;

  private void reap() {
    List<Job> reaped;
    do {
      Instant now = clock.instant();
      reaped = store.reapExpiredLeases(now, REAP_BATCH);
      publishReaped(reaped, now);
    } while (reaped.size() == REAP_BATCH && !closed);
  }

  private void publishReaped(List<Job> reaped, Instant now) {
    for (Job job : reaped) {
      log.warn(
          "job {} task={} attempt {}: lease expired; now {}",
          job.id(),
          job.task(),
          job.attempts(),
          job.state().wireName());
      events.publish(job, now);
    }
  }

  /**
   * Deletes finished jobs past retention in short batches, at most {@link #PURGE_BATCHES_PER_RUN}
   * per run: a backlog of millions is worked off over several runs instead of holding the
   * supervisor (and the store) for minutes.
   */
  private void purge() {
    Instant before = clock.instant().minus(settings.resultRetention());
    for (int i = 0; i < PURGE_BATCHES_PER_RUN && !closed; i++) {
      if (store.purge(before, PURGE_BATCH) < PURGE_BATCH) {
        return;
      }
    }
  }

  private java.util.Set<TaskExecutor> ownedExecutors() {
    java.util.Set<TaskExecutor> all =
        java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
    all.addAll(settings.executorsByTask().values());
    if (settings.executor() != null) {
      all.add(settings.executor());
    }
    all.remove(pool);
    return all;
  }

  TaskExecutor executorFor(String taskName) {
    TaskExecutor e = settings.executorsByTask().get(taskName);
    return e != null ? e : defaultExecutor;
  }

  private void checkOpen() {
    if (!accepting) {
      throw new ShuttingDownException("Offload is shutting down");
    }
  }

  // ---- offload and wait -------------------------------------------------------------------

  @Override
  public <I, O> O run(Task<I, O> task, I input) {
    return run(task, input, settings.defaultTimeout());
  }

  @Override
  public <I, O> O run(Task<I, O> task, I input, Duration timeout) {
    return join(runAsync(task, input, timeout));
  }

  @Override
  public <I, O> CompletableFuture<O> runAsync(Task<I, O> task, I input) {
    return runAsync(task, input, settings.defaultTimeout());
  }

  @Override
  public <I, O> CompletableFuture<O> runAsync(Task<I, O> task, I input, Duration timeout) {
    checkOpen();
    return runner.runAsync(task, input, timeout);
  }

  @Override
  public <I, O> List<O> map(Task<I, O> task, List<? extends I> inputs) {
    return join(mapAsync(task, inputs));
  }

  @Override
  public <I, O> CompletableFuture<List<O>> mapAsync(Task<I, O> task, List<? extends I> inputs) {
    checkOpen();
    CompletableFuture<List<Outcome<O>>> outcomes = runner.map(task, inputs, true);
    CompletableFuture<List<O>> values =
        outcomes.thenApply(list -> list.stream().map(Outcome::value).toList());
    values.whenComplete((v, e) -> {
      if (values.isCancelled()) {
        outcomes.cancel(true);
      }
    });
    return values;
  }

  @Override
  public <I, O> List<Outcome<O>> mapOutcomes(Task<I, O> task, List<? extends I> inputs) {
    checkOpen();
    return join(runner.map(task, inputs, false));
  }

  @Override
  @SuppressWarnings("unchecked")
  public CompletableFuture<JsonNode> runJson(String taskName, JsonNode input, Duration timeout) {
    Task<Object, Object> task = (Task<Object, Object>) tasks.get(taskName);
    Object typed = codec.convert(input, task.inputType(), "input");
    CompletableFuture<Object> value = runAsync(task, typed, timeout);
    CompletableFuture<JsonNode> json = value.thenApply(codec::toTree);
    // As in mapJson: cancelling the caller's future (an HTTP client that left) stops the work.
    json.whenComplete((v, e) -> {
      if (json.isCancelled()) {
        value.cancel(true);
      }
    });
    return json;
  }

  @Override
  @SuppressWarnings("unchecked")
  public CompletableFuture<List<JsonNode>> mapJson(String taskName, List<JsonNode> inputs) {
    Task<Object, Object> task = (Task<Object, Object>) tasks.get(taskName);
    List<Object> typed = new ArrayList<>(inputs.size());
    for (int i = 0; i < inputs.size(); i++) {
      typed.add(codec.convert(inputs.get(i), task.inputType(), "input[" + i + "]"));
    }
    CompletableFuture<List<Object>> values = mapAsync(task, typed);
    CompletableFuture<List<JsonNode>> json =
        values.thenApply(list -> list.stream().map(codec::toTree).toList());
    json.whenComplete((v, e) -> {
      if (json.isCancelled()) {
        values.cancel(true);
      }
    });
    return json;
  }

  /**
   * Waits for {@code future}; an interrupt of the waiting thread cancels the work. Failures come
   * out as the runtime exceptions the API documents, not wrapped.
   */
  private static <T> T join(CompletableFuture<T> future) {
    try {
      return future.get();
    } catch (InterruptedException e) {
      future.cancel(true);
      Thread.currentThread().interrupt();
      throw new CancellationException("interrupted while waiting; the work was cancelled");
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof RuntimeException re) {
        throw re;
      }
      throw new dev.offload.OffloadException(cause.toString(), cause);
    }
  }

  // ---- background jobs --------------------------------------------------------------------

  @Override
  public Job submit(JobSpec spec) {
    return submitAll(List.of(spec)).get(0);
  }

  @Override
  public List<Job> submitAll(List<JobSpec> specs) {
    checkOpen();
    Instant now = clock.instant();
    List<Job> jobs = new ArrayList<>(specs.size());
    for (JobSpec spec : specs) {
      jobs.add(newJob(spec, now));
    }
    List<JobId> ids = new ArrayList<>(jobs.size());
    for (Job job : jobs) {
      ids.add(job.id());
    }
    EventHub.Writes writes = events.writing(ids);
    List<EnqueueResult> results;
    try {
      results = jobs.size() == 1 ? List.of(store.enqueue(jobs.get(0))) : store.enqueueAll(jobs);
    } catch (RuntimeException e) {
      for (int i = 0; i < ids.size(); i++) {
        writes.done(i, null, now);
      }
      throw e;
    }
    List<Job> stored = new ArrayList<>(results.size());
    for (int i = 0; i < results.size(); i++) {
      EnqueueResult r = results.get(i);
      stored.add(r.job());
      writes.done(i, r.created() ? r.job() : null, now);
    }
    if (worker != null) {
      worker.workArrived();
    }
    return stored;
  }

  private Job newJob(JobSpec spec, Instant now) {
    Task<?, ?> task = tasks.get(spec.task());
    String input = inputJson(task, spec.input());
    Instant runAt =
        spec.runAt() != null ? spec.runAt() : spec.delay() != null ? now.plus(spec.delay()) : now;
    JobState state = runAt.isAfter(now) ? JobState.SCHEDULED : JobState.QUEUED;
    return Job.submitted(
        JobId.newId(now),
        spec.task(),
        spec.queue() != null ? spec.queue() : JobSpec.DEFAULT_QUEUE,
        state,
        spec.priority(),
        input,
        spec.maxAttempts() != null ? spec.maxAttempts() : settings.defaultMaxAttempts(),
        spec.backoff() != null ? spec.backoff() : settings.defaultBackoff(),
        spec.timeout() != null ? spec.timeout() : settings.defaultTimeout(),
        spec.idempotencyKey(),
        now,
        runAt);
  }

  /**
   * The input as JSON text, checked against the task's input type. An input already of that type is
   * written directly; anything else (a map, a {@code JsonNode}) is decoded first so a bad field is
   * refused before the job is stored.
   */
  private String inputJson(Task<?, ?> task, Object input) {
    if (input != null && task.inputType().isInstance(input) && !(input instanceof JsonNode)) {
      return codec.write(input);
    }
    JsonNode tree = codec.toTree(input);
    codec.convert(tree, task.inputType(), "input");
    return codec.write(tree);
  }

  @Override
  public Job job(JobId id) {
    return findJob(id).orElseThrow(() -> new JobNotFoundException(id));
  }

  @Override
  public Optional<Job> findJob(JobId id) {
    return store.get(id);
  }

  @Override
  public Job await(JobId id, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    // Local ends wake the waiter at once; ends in other processes are seen by polling the store.
    long poll = Math.max(10, Math.min(settings.pollInterval().toMillis(), 250));
    EventHub.Waiter waiter = events.waiter(id);
    try {
      while (true) {
        long seen = waiter.signals();
        Job job = job(id);
        long left = (deadline - System.nanoTime()) / 1_000_000L;
        if (job.state().isTerminal() || left <= 0) {
          return job;
        }
        waiter.await(seen, Math.min(left, poll));
        if (Thread.interrupted()) {
          throw new InterruptedException();
        }
      }
    } finally {
      events.release(id);
    }
  }

  @Override
  public <O> O result(JobId id, Class<O> type) {
    Job job = job(id);
    return switch (job.state()) {
      case SUCCEEDED -> codec.read(job.result(), type, "result");
      case FAILED, CANCELLED ->
          throw new TaskFailedException(
              job.task(),
              job.error() != null
                  ? job.error()
                  : new JobError(JobError.CANCELLED, "job " + id + " was cancelled", null),
              null);
      default ->
          throw new IllegalStateException(
              "job " + id + " has not finished; it is " + job.state().wireName());
    };
  }

  @Override
  public Job cancel(JobId id) {
    Job job = store.cancel(id, clock.instant()).orElseThrow(() -> new JobNotFoundException(id));
    if (job.state() == JobState.CANCELLED) {
      if (worker != null) {
        worker.cancelled(id);
      }
      events.publish(job, clock.instant());
    }
    return job;
  }

  @Override
  public Job retry(JobId id) {
    Job job = store.requeue(id, clock.instant()).orElseThrow(() -> new JobNotFoundException(id));
    events.publish(job, clock.instant());
    if (worker != null) {
      worker.workArrived();
    }
    return job;
  }

  @Override
  public boolean delete(JobId id) {
    return store.delete(id);
  }

  @Override
  public Page<Job> jobs(JobQuery query) {
    return store.list(query);
  }

  @Override
  public JobCounts counts() {
    return store.counts();
  }

  @Override
  public long finishedDropped() {
    return store.finishedDropped();
  }

  @Override
  public List<WorkerInfo> workers() {
    // A worker that missed three heartbeats is gone, whatever its record says.
    Duration seen = settings.leaseDuration().multipliedBy(3);
    return store.workers(clock.instant().minus(seen));
  }

  @Override
  public AutoCloseable subscribe(Consumer<JobEvent> listener) {
    return events.subscribe(listener);
  }

  // ---- the instance -----------------------------------------------------------------------

  @Override
  public TaskRegistry tasks() {
    return tasks;
  }

  @Override
  public ExecutorStats poolStats() {
    return pool.stats();
  }

  @Override
  public java.util.Map<String, ExecutorStats> executorStats() {
    java.util.Map<String, ExecutorStats> stats = new java.util.LinkedHashMap<>();
    stats.put("cpu", pool.stats());
    if (defaultExecutor != pool) {
      stats.put("default", defaultExecutor.stats());
    }
    settings.executorsByTask().entrySet().stream()
        .sorted(java.util.Map.Entry.comparingByKey())
        .forEach(e -> stats.put("task:" + e.getKey(), e.getValue().stats()));
    return stats;
  }

  @Override
  public boolean isReady() {
    return accepting && store.isHealthy();
  }

  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    accepting = false;
    long deadline = System.nanoTime() + settings.shutdownGrace().toNanos();
    if (worker != null) {
      worker.stopClaiming();
      worker.drain(settings.shutdownGrace());
    }
    closed = true;
    leases.shutdownNow();
    supervisor.shutdownNow();
    pool.close();
    try {
      long left = Math.max(0, deadline - System.nanoTime());
      if (!pool.awaitTermination(Duration.ofNanos(left))) {
        log.warn("direct runs still going after the shutdown grace period; abandoning them");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    timer.shutdownNow();
    try {
      storeSubscription.close();
    } catch (Exception e) {
      log.warn("closing the store subscription failed", e);
    }
    // The builder documents that the instance owns what it was given: executors, then the store.
    for (TaskExecutor e : ownedExecutors()) {
      try {
        e.close();
      } catch (RuntimeException ex) {
        log.warn("closing executor {} failed", e, ex);
      }
    }
    store.close();
  }
}
