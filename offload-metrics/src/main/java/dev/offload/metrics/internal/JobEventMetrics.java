package dev.offload.metrics.internal;

import dev.offload.Job;
import dev.offload.JobError;
import dev.offload.JobEvent;
import dev.offload.JobId;
import dev.offload.JobState;
import dev.offload.Offload;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Turns job events into counters and timers, per task and queue.
 *
 * <p>Design: listeners run on the engine's threads, so {@link #accept} only bumps counters and
 * remembers when jobs began to wait and attempts started (bounded maps, cleared by the next event
 * of the job). Wait is from due to start: a {@code queued} event's time, or a {@code scheduled}
 * job's run-at. Run time is from an attempt's {@code running} event to the event that ends it. What
 * an event does not carry (a scheduled job's run-at; whether a failure was a lost lease) needs the
 * job itself: those reads go to one background thread with a bounded queue, and are dropped (and
 * counted) rather than slow the engine when the store falls behind.
 *
 * <p>Classification, from the state after the change and the attempt number: a waiting state at
 * attempt 0 is a submission; {@code scheduled} after an attempt is a retry (running → scheduled);
 * {@code running} without progress is a start (with progress it is a progress report).
 */
public final class JobEventMetrics implements Consumer<JobEvent>, AutoCloseable {
  /** Bucket bounds of the wait and run-time histograms, from sub-millisecond jobs to hours. */
  static final Duration[] BUCKETS = {
    Duration.ofMillis(1),
    Duration.ofMillis(5),
    Duration.ofMillis(10),
    Duration.ofMillis(25),
    Duration.ofMillis(50),
    Duration.ofMillis(100),
    Duration.ofMillis(250),
    Duration.ofMillis(500),
    Duration.ofSeconds(1),
    Duration.ofMillis(2500),
    Duration.ofSeconds(5),
    Duration.ofSeconds(10),
    Duration.ofSeconds(30),
    Duration.ofMinutes(1),
    Duration.ofMinutes(5),
    Duration.ofMinutes(15),
    Duration.ofHours(1)
  };

  /** Attempts remembered as running; beyond this (events for jobs never seen ending) none are. */
  private static final int MAX_TRACKED = 100_000;

  private static final int LOOKUP_QUEUE = 10_000;

  private final Offload offload;
  private final MeterRegistry registry;
  private final Consumer<String> queueSeen;
  private final Map<Key, Meters> meters = new ConcurrentHashMap<>();
  private final Map<JobId, Started> running = new ConcurrentHashMap<>();
  private final Map<JobId, Due> waiting = new ConcurrentHashMap<>();
  private final ThreadPoolExecutor lookups;
  private final Counter droppedLookups;

  private record Key(String task, String queue) {}

  private record Started(int attempt, Instant at) {}

  /** Waiting since {@code at} after {@code attempt} attempts. */
  private record Due(int attempt, Instant at) {}

  public JobEventMetrics(Offload offload, MeterRegistry registry, Consumer<String> queueSeen) {
    this.offload = offload;
    this.registry = registry;
    this.queueSeen = queueSeen;
    this.droppedLookups =
        Counter.builder("offload.metrics.lookups.dropped")
            .description(
                "Job reads for wait times and lease expiries skipped because the store fell behind")
            .register(registry);
    this.lookups =
        new ThreadPoolExecutor(
            1,
            1,
            0,
            TimeUnit.MILLISECONDS,
            new ArrayBlockingQueue<>(LOOKUP_QUEUE),
            Thread.ofPlatform().name("offload-metrics").daemon().factory(),
            (task, executor) -> droppedLookups.increment());
  }

  @Override
  public void accept(JobEvent e) {
    Meters m = meters.computeIfAbsent(new Key(e.task(), e.queue()), this::newMeters);
    switch (e.state()) {
      case QUEUED, SCHEDULED -> {
        Started attempt = running.remove(e.id());
        if (e.state() == JobState.QUEUED) {
          track(waiting, e.id(), new Due(e.attempt(), e.at()));
        } else {
          // A scheduled job is due at its run-at time, which the event does not carry.
          lookup(() -> rememberRunAt(e));
        }
        if (e.attempt() == 0) {
          m.submitted.increment();
          return;
        }
        if (e.state() == JobState.SCHEDULED) {
          m.retries.increment();
          recordRun(m.runRetried, attempt, e);
        }
        // Back to waiting after an attempt: a retry, a lost lease, a release at shutdown, or an
        // operator's retry. Only the job's error tells a lost lease apart.
        lookup(() -> countLeaseExpiry(e, m));
      }
      case RUNNING -> {
        if (e.progress() != null) {
          return;
        }
        m.started.increment();
        track(running, e.id(), new Started(e.attempt(), e.at()));
        Due due = waiting.remove(e.id());
        if (due != null && due.attempt() == e.attempt() - 1 && due.at() != null && e.at() != null) {
          m.waitTime.record(nonNegative(Duration.between(due.at(), e.at())));
        } else {
          lookup(() -> recordWait(e, m));
        }
      }
      case SUCCEEDED -> {
        m.succeeded.increment();
        ended(e.id());
        recordRun(m.runSucceeded, running.remove(e.id()), e);
      }
      case FAILED -> {
        m.failed.increment();
        ended(e.id());
        recordRun(m.runFailed, running.remove(e.id()), e);
        lookup(() -> countLeaseExpiry(e, m));
      }
      case CANCELLED -> {
        m.cancelled.increment();
        ended(e.id());
        recordRun(m.runCancelled, running.remove(e.id()), e);
      }
    }
  }

  private void ended(JobId id) {
    waiting.remove(id);
  }

  private static <V> void track(Map<JobId, V> map, JobId id, V value) {
    if (map.size() < MAX_TRACKED || map.containsKey(id)) {
      map.put(id, value);
    }
  }

  /** Notes when a scheduled job becomes due, unless it has already started. */
  private void rememberRunAt(JobEvent e) {
    offload
        .findJob(e.id())
        .filter(job -> job.attempts() == e.attempt() && job.state().isPending())
        .ifPresent(job -> track(waiting, e.id(), new Due(e.attempt(), job.runAt())));
  }

  private static void recordRun(LazyTimer timer, Started attempt, JobEvent end) {
    if (attempt != null && attempt.attempt() == end.attempt() && end.at() != null) {
      timer.get().record(nonNegative(Duration.between(attempt.at(), end.at())));
    }
  }

  /** A timer registered on first use. */
  private static final class LazyTimer {
    private final Supplier<Timer> create;
    private volatile Timer timer;

    LazyTimer(Supplier<Timer> create) {
      this.create = create;
    }

    Timer get() {
      Timer t = timer;
      if (t == null) {
        // Registration is idempotent, so a race registers the same meter twice harmlessly.
        t = create.get();
        timer = t;
      }
      return t;
    }
  }

  /** The fallback when the wait did not begin in an event seen here (or its read was late). */
  private void recordWait(JobEvent e, Meters m) {
    Optional<Job> found = offload.findJob(e.id());
    if (found.isEmpty()) {
      return;
    }
    Job job = found.get();
    // A pending job at the same attempt has a new run-at (its retry's): the start is history.
    if (job.attempts() == e.attempt() && job.startedAt() != null && !job.state().isPending()) {
      m.waitTime.record(nonNegative(Duration.between(job.runAt(), job.startedAt())));
    }
  }

  private void countLeaseExpiry(JobEvent e, Meters m) {
    Optional<Job> found = offload.findJob(e.id());
    if (found.isEmpty()) {
      return;
    }
    Job job = found.get();
    // attempts >= the event's: the job may have been claimed again already, keeping its error.
    if (job.error() != null
        && JobError.LEASE_EXPIRED.equals(job.error().type())
        && job.attempts() >= e.attempt()) {
      m.leaseExpired.increment();
    }
  }

  private void lookup(Runnable read) {
    lookups.execute(() -> {
      try {
        read.run();
      } catch (RuntimeException ex) {
        // The store did not answer: this sample is lost, the next event brings another.
        droppedLookups.increment();
      }
    });
  }

  private static Duration nonNegative(Duration d) {
    return d.isNegative() ? Duration.ZERO : d;
  }

  private Meters newMeters(Key key) {
    queueSeen.accept(key.queue());
    return new Meters(key);
  }

  /** Waits briefly for queued reads (tests read the meters right after), then stops the thread. */
  @Override
  public void close() {
    lookups.shutdown();
    try {
      if (!lookups.awaitTermination(1, TimeUnit.SECONDS)) {
        lookups.shutdownNow();
      }
    } catch (InterruptedException e) {
      lookups.shutdownNow();
      Thread.currentThread().interrupt();
    }
  }

  /** Whether every read queued so far has been applied (for tests). */
  public boolean idle() {
    return lookups.getQueue().isEmpty() && lookups.getActiveCount() == 0;
  }

  private final class Meters {
    final Counter submitted;
    final Counter started;
    final Counter succeeded;
    final Counter failed;
    final Counter cancelled;
    final Counter retries;
    final Counter leaseExpired;
    final Timer waitTime;
    final LazyTimer runSucceeded;
    final LazyTimer runFailed;
    final LazyTimer runCancelled;
    final LazyTimer runRetried;

    Meters(Key k) {
      submitted = counter("offload.jobs.submitted", "Jobs submitted", k);
      started = counter("offload.jobs.started", "Attempts started", k);
      succeeded = counter("offload.jobs.succeeded", "Jobs that succeeded", k);
      failed = counter("offload.jobs.failed", "Jobs that failed for good", k);
      cancelled = counter("offload.jobs.cancelled", "Jobs cancelled", k);
      retries = counter("offload.jobs.retries", "Failed attempts scheduled to run again", k);
      leaseExpired =
          counter("offload.jobs.lease.expired", "Attempts whose worker's lease expired", k);
      waitTime =
          timer("offload.job.wait", "From due (submitted, or delay over) to the start", k, null);
      runSucceeded = runTimer(k, "succeeded");
      runFailed = runTimer(k, "failed");
      runCancelled = runTimer(k, "cancelled");
      runRetried = runTimer(k, "retried");
    }

    /** Run-time histograms appear with their first sample: most outcomes stay empty per task. */
    private LazyTimer runTimer(Key k, String outcome) {
      return new LazyTimer(
          () -> timer("offload.job.run", "Attempt run time, by how it ended", k, outcome));
    }

    private Counter counter(String name, String description, Key k) {
      return Counter.builder(name)
          .description(description)
          .tag("task", k.task())
          .tag("queue", k.queue())
          .register(registry);
    }

    private Timer timer(String name, String description, Key k, String outcome) {
      Timer.Builder b =
          Timer.builder(name)
              .description(description)
              .tag("task", k.task())
              .tag("queue", k.queue())
              .serviceLevelObjectives(BUCKETS);
      if (outcome != null) {
        b.tag("outcome", outcome);
      }
      return b.register(registry);
    }
  }
}
