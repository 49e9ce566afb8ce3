package dev.offload.internal;

import dev.offload.InvalidInputException;
import dev.offload.Job;
import dev.offload.JobError;
import dev.offload.JobEvent;
import dev.offload.JobId;
import dev.offload.JobState;
import dev.offload.Lease;
import dev.offload.Progress;
import dev.offload.Task;
import dev.offload.TaskRegistry;
import dev.offload.WorkerInfo;
import dev.offload.internal.AttemptContext.StopReason;
import dev.offload.spi.ClaimRequest;
import dev.offload.spi.ClaimResult;
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
 * CompletionBatcher}.
 *
 * <p>The unit of work is the {@link Lease}, not the job id: running attempts, prefetched jobs and
 * completions are keyed by lease, and a job claimed again while an older attempt of it still runs
 * here stops that attempt. Leases are renewed by {@link #heartbeat()} on the engine's lease thread,
 * never by the task's thread nor behind reaping or purging. The heartbeat also tells the store
 * which claimed jobs started (charging their attempt), so a short job costs no write beyond its
 * claim and completion; a job whose earlier claim lapsed unreported ({@link Job#lostReservations})
 * has its start written before its task code runs, so a job that kills its worker still runs out of
 * attempts (at most {@code maxAttempts + 1} runs; see docs/ARCHITECTURE.md).
 */
final class JobWorker {
  private static final Logger log = LoggerFactory.getLogger(JobWorker.class);

  /** An attempt this worker runs; {@code job} is as claimed (still reserved in the store). */
  private static final class Running {
    final Job job;
    final Lease lease;
    final int attempt;
    final AttemptContext ctx;
    final Instant startedAt;
    final long startNanos;
    volatile ScheduledFuture<?> timeout;

    /** Whether the store knows this attempt started (heartbeat or synchronous start write). */
    volatile boolean startRecorded;

    /** Set when the attempt's task code ended; a stale-hold check then leaves it alone. */
    volatile boolean ended;

    /** Whether its {@code running} event went out (once the store knew, or at its end). */
    boolean startPublished;

    Running(Job job, AttemptContext ctx, Instant startedAt) {
      this.job = job;
      this.lease = job.lease();
      this.attempt = job.nextAttempt();
      this.ctx = ctx;
      this.startedAt = startedAt;
      this.startNanos = System.nanoTime();
    }
  }

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
  private final ConcurrentHashMap<Lease, Running> running = new ConcurrentHashMap<>();

  /** Claimed (leased) but not started yet; started as slots free up. Guarded by itself. */
  private final ArrayDeque<Job> prefetched = new ArrayDeque<>();

  /** Until when the last heartbeat renewed the leases of the prefetched jobs. */
  private volatile Instant renewedUntil = Instant.MIN;

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
    register();
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
      ClaimResult result;
      try {
        Instant now = clock.instant();
        result =
            claiming
                ? store.claim(
                    new ClaimRequest(
                        workerId, settings.queues(), free + room, now, now.plus(lease)))
                : new ClaimResult(List.of(), Long.MIN_VALUE);
      } catch (RuntimeException e) {
        slots.release(free);
        log.warn("claiming jobs failed; retrying in {}", settings.pollInterval(), e);
        if (!pause(settings.pollInterval())) {
          break;
        }
        continue;
      }
      List<Job> claimed = result.jobs();
      stopStaleHolds(claimed);
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
          store.awaitWork(settings.queues(), result.wakeMark(), settings.pollInterval());
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

  /**
   * A job claimed again while an older claim of it is held here (this worker's lease lapsed and it
   * won the job back): the older attempt can no longer complete, so it is stopped now rather than
   * left running unrenewed.
   */
  private void stopStaleHolds(List<Job> claimed) {
    if (running.isEmpty() && prefetchedCount() == 0) {
      return;
    }
    for (Job job : claimed) {
      for (Running r : running.values()) {
        if (r.job.id().equals(job.id()) && !r.ended && r.ctx.stop(StopReason.LEASE_LOST)) {
          log.warn(
              "job {}: claimed again while an older attempt ran here; stopping that", job.id());
        }
      }
      synchronized (prefetched) {
        prefetched.removeIf(p -> p.id().equals(job.id()));
      }
    }
  }

  private int prefetchedCount() {
    synchronized (prefetched) {
      return prefetched.size();
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
      JobError missing =
          new JobError(
              JobError.EXCEPTION, "no task named '" + job.task() + "' on worker " + workerId, null);
      completions.add(job, failOrRetry(job, job.nextAttempt(), now, missing, now));
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
              job.lease(), now, new JobError(JobError.INVALID_INPUT, e.getMessage(), null)));
      return;
    }
    Duration limit = job.timeout();
    AttemptContext ctx =
        new AttemptContext(job.id(), job.nextAttempt(), limit == null ? null : now.plus(limit));
    Running attempt = new Running(job, ctx, now);
    if ((job.lostReservations() > 0 || leaseMayHaveLapsed(job, now)) && !recordStart(attempt)) {
      slots.release();
      return;
    }
    running.put(attempt.lease, attempt);
    attempt.timeout =
        limit == null
            ? null
            : timer.schedule(
                () -> ctx.stop(StopReason.TIMED_OUT), limit.toNanos(), TimeUnit.NANOSECONDS);
    CompletableFuture<Object> future;
    try {
      future = executors.apply(task.name()).execute(task, input, ctx);
    } catch (RuntimeException e) {
      // The executor is full or closing: give the job back at once for this or another worker.
      log.warn("executor refused job {}: {}; releasing it", job.id(), e.getMessage());
      if (attempt.timeout != null) {
        attempt.timeout.cancel(false);
      }
      slots.release();
      completions.add(job, Completion.release(attempt.lease));
      return;
    }
    if (attempt.startRecorded) {
      publishStart(attempt);
    }
    ctx.bind(future);
    future.whenComplete((value, error) -> ended(attempt, value, error));
  }

  /**
   * Whether a prefetched job's lease may have lapsed while it waited here (this process was stopped
   * or starved longer than a third of a lease): another worker may have taken it over, so its start
   * is confirmed with the store before its task code runs.
   */
  private boolean leaseMayHaveLapsed(Job job, Instant now) {
    Instant claimed = job.leaseExpiresAt();
    Instant valid = claimed != null && claimed.isAfter(renewedUntil) ? claimed : renewedUntil;
    return now.isAfter(valid.minus(settings.leaseDuration().dividedBy(3)));
  }

  /**
   * Writes the start of an attempt before its task code runs, for a job whose earlier claim lapsed
   * without the store learning whether it ran (if that run killed its worker, this one is charged
   * even if it kills this worker too), or whose own lease may have lapsed while it waited here.
   * Returns whether the job may run.
   */
  private boolean recordStart(Running attempt) {
    Instant now = clock.instant();
    try {
      Set<Lease> lost =
          store.heartbeat(
              List.of(new Heartbeat(attempt.lease, null, attempt.startedAt)),
              now.plus(settings.leaseDuration()),
              now);
      if (lost.contains(attempt.lease)) {
        log.info("job {}: claim lost before it started; not running it", attempt.job.id());
        return false;
      }
      attempt.startRecorded = true;
      return true;
    } catch (RuntimeException e) {
      // Its claim lapses and another claim takes it over; nothing ran, nothing is charged.
      log.warn("recording the start of job {} failed; leaving it", attempt.job.id(), e);
      return false;
    }
  }

  private void ended(Running attempt, Object value, Throwable error) {
    attempt.ended = true;
    if (attempt.timeout != null) {
      attempt.timeout.cancel(false);
    }
    long took = System.nanoTime() - attempt.startNanos;
    long average = averageRunNanos;
    averageRunNanos = average < 0 ? took : average - average / 8 + took / 8;
    // The slot goes straight to a prefetched job: no dispatcher or store round trip in between.
    Job next = nextPrefetched();
    if (next != null) {
      start(next);
    } else {
      slots.release();
    }
    Job job = attempt.job;
    Instant now = clock.instant();
    StopReason stop = attempt.ctx.stopReason();
    if (stop != StopReason.CANCELLED && stop != StopReason.LEASE_LOST) {
      // Ended before the store heard of its start: its running event goes out now, before the
      // completion is even queued, so it cannot follow the end.
      publishStart(attempt);
    }
    Completion completion =
        switch (stop) {
          case CANCELLED, LEASE_LOST -> null;
          case RELEASED -> Completion.release(attempt.lease);
          case TIMED_OUT ->
              failOrRetry(
                  job,
                  attempt.attempt,
                  attempt.startedAt,
                  new JobError(
                      JobError.TIMEOUT,
                      "attempt " + attempt.attempt + " timed out after " + job.timeout(),
                      null),
                  now);
          case NONE -> error == null ? succeeded(attempt, value, now) : failed(attempt, error, now);
        };
    if (completion == null) {
      running.remove(attempt.lease, attempt);
      return;
    }
    completions.add(job, completion);
  }

  private Completion succeeded(Running attempt, Object value, Instant now) {
    try {
      return Completion.succeeded(attempt.lease, attempt.startedAt, codec.write(value));
    } catch (RuntimeException e) {
      return failOrRetry(attempt.job, attempt.attempt, attempt.startedAt, JobError.of(e), now);
    }
  }

  private Completion failed(Running attempt, Throwable error, Instant now) {
    Throwable cause = DirectRunner.unwrap(error);
    if (cause instanceof InvalidInputException e) {
      // Bad input stays bad: retrying cannot help.
      return Completion.failed(
          attempt.lease,
          attempt.startedAt,
          new JobError(JobError.INVALID_INPUT, e.getMessage(), null));
    }
    JobError why =
        cause instanceof CancellationException
            ? new JobError(JobError.CANCELLED, "the attempt was cancelled", null)
            : JobError.of(cause);
    return failOrRetry(attempt.job, attempt.attempt, attempt.startedAt, why, now);
  }

  /** A retry after backoff while attempts remain (counting this one, {@code attempt}). */
  private Completion failOrRetry(
      Job job, int attempt, Instant startedAt, JobError error, Instant now) {
    if (attempt < job.maxAttempts()) {
      return Completion.retry(
          job.lease(), startedAt, error, now.plus(job.backoff().delayAfter(attempt, random)));
    }
    return Completion.failed(job.lease(), startedAt, error);
  }

  /** Called by the batcher once a completion was written (or rejected as stale). */
  private Job written(CompletionBatcher.Pending pending, boolean applied) {
    Job job = pending.job();
    Completion completion = pending.completion();
    Running attempt = running.get(completion.lease());
    if (attempt != null) {
      running.remove(completion.lease(), attempt);
    }
    Instant now = clock.instant();
    if (!applied) {
      log.info("completion of job {} was rejected: its lease was lost", job.id());
      return null;
    }
    Job after = completion.applyTo(job, now);

    if (after.error() != null && completion.outcome() != Completion.Outcome.RELEASE) {
      log.warn(
          "job {} task={} attempt {}/{} {}: {}",
          job.id(),
          job.task(),
          after.attempts(),
          job.maxAttempts(),
          after.state().wireName(),
          after.error().message());
    }
    return after;
  }

  /** Stops a local attempt because its job was cancelled; no completion is written for it. */
  void cancelled(JobId id) {
    synchronized (prefetched) {
      prefetched.removeIf(j -> j.id().equals(id));
    }
    for (Running attempt : running.values()) {
      if (attempt.job.id().equals(id)) {
        attempt.ctx.stop(StopReason.CANCELLED);
      }
    }
  }

  /**
   * Renews the lease of every job held here (prefetched and running), reports the starts the store
   * has not heard of and the latest progress, and stops attempts whose lease the store says is
   * lost. Runs on the engine's lease thread.
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
      List<Running> reportingStart = new ArrayList<>();
      for (Job j : waiting) {
        beats.add(Heartbeat.of(j.lease()));
      }
      for (Running r : running.values()) {
        Progress p = r.ctx.takeProgress();
        boolean reportStart = !r.startRecorded;
        beats.add(new Heartbeat(r.lease, p, reportStart ? r.startedAt : null));
        if (reportStart) {
          reportingStart.add(r);
        }
        if (p != null) {
          Job j = r.job;
          progressEvents.add(
              new JobEvent(j.id(), j.task(), j.queue(), JobState.RUNNING, r.attempt, p, now));
        }
      }
      Instant until = now.plus(settings.leaseDuration());
      Set<Lease> lost = store.heartbeat(beats, until, now);
      renewedUntil = until;
      recorded(reportingStart, lost);
      if (!lost.isEmpty()) {
        synchronized (prefetched) {
          prefetched.removeIf(j -> lost.contains(j.lease()));
        }
        for (Lease lease : lost) {
          Running r = running.get(lease);
          if (r != null && r.ctx.stop(StopReason.LEASE_LOST)) {
            log.warn(
                "job {} attempt {}: lease lost (cancelled or expired); stopping it",
                lease.jobId(),
                r.attempt);
          }
        }
      }
      progressEvents.forEach(events::publishInOrder);
    }
  }

  /**
   * Reports the starts of attempts the store has not heard of yet, so that {@code running} in the
   * store (and in every view of it) follows a task's start within this interval rather than a whole
   * heartbeat. Jobs that end first never need this write. Runs on the lease thread, between
   * heartbeats.
   */
  void reportStarts() {
    List<Running> unreported = new ArrayList<>();
    for (Running r : running.values()) {
      if (!r.startRecorded && !r.ended) {
        unreported.add(r);
      }
    }
    if (unreported.isEmpty()) {
      return;
    }
    Instant now = clock.instant();
    List<Heartbeat> beats = new ArrayList<>(unreported.size());
    for (Running r : unreported) {
      beats.add(new Heartbeat(r.lease, null, r.startedAt));
    }
    Set<Lease> lost = store.heartbeat(beats, now.plus(settings.leaseDuration()), now);
    recorded(unreported, lost);
    for (Lease lease : lost) {
      Running r = running.get(lease);
      if (r != null && r.ctx.stop(StopReason.LEASE_LOST)) {
        log.warn(
            "job {} attempt {}: lease lost before its start was recorded",
            lease.jobId(),
            r.attempt);
      }
    }
  }

  private void recorded(List<Running> reported, Set<Lease> lost) {
    for (Running r : reported) {
      if (!lost.contains(r.lease)) {
        r.startRecorded = true;
        publishStart(r);
      }
    }
  }

  /**
   * The attempt's {@code running} event, once, stamped with the time its task code started. Under
   * the attempt's lock: whichever thread publishes it (lease thread or the attempt's end), it is
   * out before the attempt's completion is queued.
   */
  private void publishStart(Running r) {
    synchronized (r) {
      if (r.startPublished) {
        return;
      }
      r.startPublished = true;
      Job j = r.job;
      events.publishInOrder(
          new JobEvent(
              j.id(), j.task(), j.queue(), JobState.RUNNING, r.attempt, null, r.startedAt));
    }
  }

  /** Refreshes this worker's presence record (at start, then on the supervisor every lease/3). */
  void register() {
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

  /** Stops everything at once, for an engine that failed to start: nothing ran yet. */
  void abandon() {
    stopClaiming();
    completions.close(Duration.ofSeconds(1));
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
      if (r.ctx.stop(StopReason.RELEASED)) {
        log.info("job {} attempt {} released at shutdown", r.job.id(), r.attempt);
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
