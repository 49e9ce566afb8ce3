package dev.offload.internal;

import dev.offload.InvalidInputException;
import dev.offload.Job;
import dev.offload.JobError;
import dev.offload.JobEvent;
import dev.offload.JobId;
import dev.offload.Progress;
import dev.offload.Task;
import dev.offload.TaskRegistry;
import dev.offload.WorkerInfo;
import dev.offload.internal.AttemptContext.StopReason;
import dev.offload.spi.ClaimRequest;
import dev.offload.spi.Completion;
import dev.offload.spi.Heartbeat;
import dev.offload.spi.JobStore;
import dev.offload.spi.TaskExecutor;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Takes jobs from the store and runs them: a dispatcher thread claims up to the free slots (plus a
 * prefetch of about 100 ms of work per slot by recent run times, see {@link #PREFETCH_WORK_NANOS};
 * an ending attempt hands its slot straight to a prefetched job), waits on the store's work signal
 * when there is nothing to do, and hands each job to its executor. The end of an attempt becomes a
 * fenced {@link Completion} (success, retry after backoff, failure), written by the {@link
 * CompletionBatcher}. Leases are renewed by {@link #heartbeat()}, called by the supervisor, never
 * by the task's thread: a task stuck in a loop still loses its lease when its process dies, and a
 * task whose lease was lost is stopped.
 */
final class JobWorker {
  private static final Logger log = LoggerFactory.getLogger(JobWorker.class);

  /** An attempt this worker runs. */
  private record Running(
      Job job, AttemptContext ctx, ScheduledFuture<?> timeout, long startNanos) {}

  /**
   * How much work (by the moving average of recent attempts) a worker may hold claimed but not
   * started, per slot. Short jobs are prefetched: a worker whose jobs take microseconds would
   * otherwise pay a store round trip per {@code concurrency} jobs. Long ones hardly are, so a busy
   * worker never sits on leased jobs that an idle one could run now.
   */
  private static final long PREFETCH_WORK_NANOS = 100_000_000L;

  /** At most this many prefetched jobs per slot, however short the jobs. */
  private static final int PREFETCH_PER_SLOT = 64;

  private final JobStore store;
  private final TaskRegistry tasks;
  private final Function<String, TaskExecutor> executors;
  private final JsonCodec codec;
  private final EventHub events;
  private final ScheduledExecutorService timer;
  private final InstantSource clock;
  private final RandomGenerator random;
  private final OffloadSettings settings;
  private final String workerId;
  private final Instant startedAt;
  private final Semaphore slots;
  private final ConcurrentHashMap<JobId, Running> running = new ConcurrentHashMap<>();

  /** Claimed (leased) but not started yet; started as slots free up. Guarded by itself. */
  private final ArrayDeque<Job> prefetched = new ArrayDeque<>();

  private final int prefetchMax;

  /** Moving average of attempt run times; negative until the first attempt ends. */
  private volatile long averageRunNanos = -1;

  private final AtomicLong localWork = new AtomicLong();
  private final CompletionBatcher completions;
  private final Thread dispatcher;
  private volatile boolean claiming = true;

  JobWorker(
      JobStore store,
      TaskRegistry tasks,
      Function<String, TaskExecutor> executors,
      JsonCodec codec,
      EventHub events,
      ScheduledExecutorService timer,
      OffloadSettings settings,
      String workerId) {
    this.store = store;
    this.tasks = tasks;
    this.executors = executors;
    this.codec = codec;
    this.events = events;
    this.timer = timer;
    this.clock = settings.clock();
    this.random = settings.random();
    this.settings = settings;
    this.workerId = workerId;
    this.startedAt = clock.instant();
    this.slots = new Semaphore(settings.workerConcurrency());
    this.prefetchMax = settings.workerConcurrency() * PREFETCH_PER_SLOT;
    this.completions = new CompletionBatcher(store, clock, events, this::written);
    this.dispatcher = Thread.ofPlatform().daemon().name("offload-dispatcher").unstarted(this::loop);
  }

  void start() {
    registerSafely();
    dispatcher.start();
  }

  /** A job was enqueued by this process: skip the next wait even if the store's signal raced. */
  void workArrived() {
    localWork.incrementAndGet();
  }

  private void loop() {
    Duration lease = settings.leaseDuration();
    while (claiming) {
      int free;
      try {
        slots.acquire();
        free = 1 + slots.drainPermits();
      } catch (InterruptedException e) {
        break;
      }
      // Jobs already claimed go first (a slot can free up while some wait, e.g. after a refusal).
      while (free > 0) {
        Job waiting = nextPrefetched();
        if (waiting == null) {
          break;
        }
        free--;
        start(waiting);
      }
      if (free == 0) {
        continue;
      }
      long seen = localWork.get();
      int room = prefetchRoom();
      List<Job> claimed;
      try {
        Instant now = clock.instant();
        claimed =
            claiming
                ? store.claim(
                    new ClaimRequest(
                        workerId, settings.queues(), free + room, now, now.plus(lease)))
                : List.of();
      } catch (RuntimeException e) {
        slots.release(free);
        log.warn("claiming jobs failed; retrying in {}", settings.pollInterval(), e);
        if (!pause(settings.pollInterval())) {
          break;
        }
        continue;
      }
      events.publishClaimed(claimed, clock.instant());
      int starting = Math.min(free, claimed.size());
      if (claimed.size() > starting) {
        synchronized (prefetched) {
          prefetched.addAll(claimed.subList(starting, claimed.size()));
        }
      }
      slots.release(free - starting);
      for (Job job : claimed.subList(0, starting)) {
        start(job);
      }
      if (claimed.isEmpty() && localWork.get() == seen && claiming) {
        try {
          store.awaitWork(settings.queues(), settings.pollInterval());
        } catch (InterruptedException e) {
          break;
        } catch (RuntimeException e) {
          log.warn("waiting for work failed", e);
          if (!pause(settings.pollInterval())) {
            break;
          }
        }
      }
    }
  }

  private int prefetchRoom() {
    long average = averageRunNanos;
    if (average < 0 || !claiming) {
      return 0;
    }
    long byWork = settings.workerConcurrency() * (PREFETCH_WORK_NANOS / Math.max(1, average));
    int cap = (int) Math.min(prefetchMax, byWork);
    synchronized (prefetched) {
      return Math.max(0, cap - prefetched.size());
    }
  }

  /** A prefetched job to run in the slot that just freed up, or {@code null}. */
  private Job nextPrefetched() {
    if (!claiming) {
      return null;
    }
    synchronized (prefetched) {
      return prefetched.pollFirst();
    }
  }

  private static boolean pause(Duration d) {
    try {
      Thread.sleep(d);
      return true;
    } catch (InterruptedException e) {
      return false;
    }
  }

  @SuppressWarnings("unchecked")
  private void start(Job job) {
    Instant now = clock.instant();
    Task<Object, Object> task = (Task<Object, Object>) tasks.find(job.task()).orElse(null);
    if (task == null) {
      slots.release();
      completions.add(
          job,
          failOrRetry(
              job,
              new JobError(
                  JobError.EXCEPTION,
                  "no task named '" + job.task() + "' on worker " + workerId,
                  null),
              now));
      return;
    }
    Object input;
    try {
      input = codec.read(job.input(), task.inputType(), "input");
    } catch (InvalidInputException e) {
      slots.release();
      completions.add(
          job,
          Completion.failed(
              job.lease(), new JobError(JobError.INVALID_INPUT, e.getMessage(), null)));
      return;
    }
    Duration limit = job.timeout();
    AttemptContext ctx =
        new AttemptContext(job.id(), job.attempts(), limit == null ? null : now.plus(limit));
    ScheduledFuture<?> timeout =
        limit == null
            ? null
            : timer.schedule(
                () -> ctx.stop(StopReason.TIMED_OUT), limit.toNanos(), TimeUnit.NANOSECONDS);
    Running attempt = new Running(job, ctx, timeout, System.nanoTime());
    running.put(job.id(), attempt);
    CompletableFuture<Object> future;
    try {
      future = executors.apply(task.name()).execute(task, input, ctx);
    } catch (RuntimeException e) {
      // The executor is full or closing: give the job back at once for this or another worker.
      log.warn("executor refused job {}: {}; releasing it", job.id(), e.getMessage());
      if (timeout != null) {
        timeout.cancel(false);
      }
      slots.release();
      completions.add(job, Completion.release(job.lease()));
      return;
    }
    ctx.bind(future);
    future.whenComplete((value, error) -> ended(attempt, value, error));
  }

  private void ended(Running attempt, Object value, Throwable error) {
    if (attempt.timeout() != null) {
      attempt.timeout().cancel(false);
    }
    long took = System.nanoTime() - attempt.startNanos();
    long average = averageRunNanos;
    averageRunNanos = average < 0 ? took : average - average / 8 + took / 8;
    // The slot goes straight to a prefetched job: no dispatcher or store round trip in between.
    Job next = nextPrefetched();
    if (next != null) {
      start(next);
    } else {
      slots.release();
    }
    Job job = attempt.job();
    Instant now = clock.instant();
    Completion completion =
        switch (attempt.ctx().stopReason()) {
          case CANCELLED, LEASE_LOST -> null;
          case RELEASED -> Completion.release(job.lease());
          case TIMED_OUT ->
              failOrRetry(
                  job,
                  new JobError(
                      JobError.TIMEOUT,
                      "attempt " + job.attempts() + " timed out after " + job.timeout(),
                      null),
                  now);
          case NONE -> error == null ? succeeded(job, value, now) : failed(job, error, now);
        };
    if (completion == null) {
      running.remove(job.id());
      return;
    }
    completions.add(job, completion);
  }

  private Completion succeeded(Job job, Object value, Instant now) {
    try {
      return Completion.succeeded(job.lease(), codec.write(value));
    } catch (RuntimeException e) {
      return failOrRetry(job, JobError.of(e), now);
    }
  }

  private Completion failed(Job job, Throwable error, Instant now) {
    Throwable cause = DirectRunner.unwrap(error);
    if (cause instanceof InvalidInputException e) {
      // Bad input stays bad: retrying cannot help.
      return Completion.failed(
          job.lease(), new JobError(JobError.INVALID_INPUT, e.getMessage(), null));
    }
    if (cause instanceof CancellationException) {
      return failOrRetry(
          job, new JobError(JobError.CANCELLED, "the attempt was cancelled", null), now);
    }
    return failOrRetry(job, JobError.of(cause), now);
  }

  private Completion failOrRetry(Job job, JobError error, Instant now) {
    if (job.attempts() < job.maxAttempts()) {
      return Completion.retry(
          job.lease(), error, now.plus(job.backoff().delayAfter(job.attempts(), random)));
    }
    return Completion.failed(job.lease(), error);
  }

  /** Called by the batcher once a completion was written (or rejected as stale). */
  private void written(CompletionBatcher.Pending pending, boolean applied) {
    Job job = pending.job();
    running.remove(job.id());
    if (!applied) {
      log.info(
          "completion of job {} attempt {} was rejected: its lease was lost",
          job.id(),
          job.attempts());
      return;
    }
    Instant now = clock.instant();
    Job after = pending.completion().applyTo(job, now);
    if (after.error() != null && pending.completion().outcome() != Completion.Outcome.SUCCEEDED) {
      log.warn(
          "job {} task={} attempt {}/{} {}: {}",
          job.id(),
          job.task(),
          job.attempts(),
          job.maxAttempts(),
          after.state().wireName(),
          after.error().message());
    }
    events.publish(after, now);
  }

  /** Stops a local attempt because its job was cancelled; no completion is written for it. */
  void cancelled(JobId id) {
    synchronized (prefetched) {
      prefetched.removeIf(j -> j.id().equals(id));
    }
    Running attempt = running.get(id);
    if (attempt != null) {
      attempt.ctx().stop(StopReason.CANCELLED);
    }
  }

  /**
   * Renews the leases of every local attempt, sends their progress, and stops those whose lease the
   * store says is lost. Also refreshes this worker's presence record.
   */
  void heartbeat() {
    Instant now = clock.instant();
    List<Job> waiting;
    synchronized (prefetched) {
      waiting = new ArrayList<>(prefetched);
    }
    if (!running.isEmpty() || !waiting.isEmpty()) {
      List<Heartbeat> beats = new ArrayList<>(running.size() + waiting.size());
      List<JobEvent> progressEvents = new ArrayList<>();
      for (Job j : waiting) {
        beats.add(new Heartbeat(j.lease(), null));
      }
      for (Running r : running.values()) {
        Progress p = r.ctx().takeProgress();
        beats.add(new Heartbeat(r.job().lease(), p));
        if (p != null) {
          Job j = r.job();
          progressEvents.add(
              new JobEvent(j.id(), j.task(), j.queue(), j.state(), j.attempts(), p, now));
        }
      }
      Set<JobId> lost = store.heartbeat(beats, now.plus(settings.leaseDuration()), now);
      if (!lost.isEmpty()) {
        synchronized (prefetched) {
          prefetched.removeIf(j -> lost.contains(j.id()));
        }
      }
      for (JobId id : lost) {
        Running r = running.get(id);
        if (r != null && r.ctx().stop(StopReason.LEASE_LOST)) {
          log.warn(
              "job {} attempt {}: lease lost (cancelled or expired); stopping it",
              id,
              r.job().attempts());
        }
      }
      progressEvents.forEach(events::publish);
    }
    registerSafely();
  }

  private void registerSafely() {
    try {
      store.registerWorker(info(clock.instant()));
    } catch (RuntimeException e) {
      log.warn("recording worker {} failed", workerId, e);
    }
  }

  WorkerInfo info(Instant now) {
    return new WorkerInfo(
        workerId,
        Hosts.name(),
        ProcessHandle.current().pid(),
        settings.workerConcurrency(),
        running.size(),
        settings.queues(),
        startedAt,
        now);
  }

  /** Stops claiming new jobs; attempts in flight go on. */
  void stopClaiming() {
    claiming = false;
    dispatcher.interrupt();
    try {
      dispatcher.join(5_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * Waits up to {@code grace} for running attempts to end, releases the rest back to the store (so
   * another worker runs them at once, without waiting for a lease to lapse), writes every pending
   * completion, and leaves.
   */
  void drain(Duration grace) {
    // Jobs claimed but never started go back at once, so another worker can take them.
    List<Job> unstarted;
    synchronized (prefetched) {
      unstarted = new ArrayList<>(prefetched);
      prefetched.clear();
    }
    for (Job job : unstarted) {
      completions.add(job, Completion.release(job.lease()));
    }
    long deadline = System.nanoTime() + grace.toNanos();
    while (!running.isEmpty() && System.nanoTime() < deadline) {
      if (!pause(Duration.ofMillis(10))) {
        break;
      }
    }
    for (Running r : running.values()) {
      if (r.ctx().stop(StopReason.RELEASED)) {
        log.info("job {} attempt {} released at shutdown", r.job().id(), r.job().attempts());
      }
    }
    completions.close(Duration.ofSeconds(10));
    try {
      store.unregisterWorker(workerId);
    } catch (RuntimeException e) {
      log.warn("unregistering worker {} failed", workerId, e);
    }
  }
}
