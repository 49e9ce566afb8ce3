package dev.offload.internal.store;

import dev.offload.Job;
import dev.offload.JobCounts;
import dev.offload.JobId;
import dev.offload.JobQuery;
import dev.offload.JobState;
import dev.offload.JobStateConflictException;
import dev.offload.Lease;
import dev.offload.Page;
import dev.offload.WorkerInfo;
import dev.offload.spi.ClaimRequest;
import dev.offload.spi.ClaimResult;
import dev.offload.spi.Completion;
import dev.offload.spi.EnqueueResult;
import dev.offload.spi.Heartbeat;
import dev.offload.spi.JobStore;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The default store: every job in this process's memory, guarded by one lock.
 *
 * <p>Design: one lock keeps every operation trivially atomic (claims, fenced completions, cancel
 * races) and is fast enough that the CPU pool, not the store, is the bottleneck (see
 * BENCHMARKS.md). Per queue, due work sits in a {@code ready} set ordered for claiming (priority,
 * run-at, id) and future work in a {@code scheduled} set ordered by run-at; a claim first moves
 * what has come due. Counts are kept incrementally so {@link #counts()} is O(queues).
 */
public final class InMemoryJobStore implements JobStore {
  private static final Comparator<Job> CLAIM_ORDER =
      Comparator.comparingInt(Job::priority)
          .reversed()
          .thenComparing(Job::runAt)
          .thenComparing(Job::id);
  private static final Comparator<Job> DUE_ORDER =
      Comparator.comparing(Job::runAt).thenComparing(Job::id);
  private static final Comparator<Job> LEASE_ORDER =
      Comparator.comparing(Job::leaseExpiresAt).thenComparing(Job::id);

  private final ReentrantLock lock = new ReentrantLock();
  private final Condition workArrived = lock.newCondition();
  private final NavigableMap<JobId, Job> jobs = new TreeMap<>();
  private final Map<String, JobId> byIdempotencyKey = new HashMap<>();
  private final Map<String, QueueIndex> queues = new HashMap<>();
  private final Set<JobId> running = new HashSet<>();
  private final Map<String, Map<JobState, Long>> counts = new HashMap<>();
  private final Map<String, WorkerInfo> workers = new ConcurrentHashMap<>();
  private long signals;
  private volatile boolean closed;

  private static final class QueueIndex {
    final TreeSet<Job> ready = new TreeSet<>(CLAIM_ORDER);
    final TreeSet<Job> scheduled = new TreeSet<>(DUE_ORDER);
    // Claimed, not started: back into ready once the claim lapses.
    final TreeSet<Job> reserved = new TreeSet<>(LEASE_ORDER);
  }

  @Override
  public EnqueueResult enqueue(Job job) {
    lock.lock();
    try {
      return enqueueLocked(job);
    } finally {
      lock.unlock();
    }
  }

  @Override
  public List<EnqueueResult> enqueueAll(List<Job> batch) {
    lock.lock();
    try {
      List<EnqueueResult> results = new ArrayList<>(batch.size());
      for (Job job : batch) {
        results.add(enqueueLocked(job));
      }
      return results;
    } finally {
      lock.unlock();
    }
  }

  private EnqueueResult enqueueLocked(Job job) {
    checkOpen();
    if (!job.state().isPending()) {
      throw new IllegalArgumentException("enqueue takes a pending job, got " + job.state());
    }
    if (job.idempotencyKey() != null) {
      JobId existing = byIdempotencyKey.get(job.idempotencyKey());
      if (existing != null) {
        return new EnqueueResult(jobs.get(existing), false);
      }
    }
    if (jobs.containsKey(job.id())) {
      throw new IllegalArgumentException("job " + job.id() + " exists already");
    }
    // Only now, once the job is sure to be stored: a refused enqueue must not claim its key.
    if (job.idempotencyKey() != null) {
      byIdempotencyKey.put(job.idempotencyKey(), job.id());
    }
    put(null, job);
    signals++;
    workArrived.signalAll();
    return new EnqueueResult(job, true);
  }

  @Override
  public ClaimResult claim(ClaimRequest request) {
    lock.lock();
    try {
      checkOpen();
      long wakeMark = signals;
      List<QueueIndex> sources = new ArrayList<>();
      if (request.queues().isEmpty()) {
        sources.addAll(queues.values());
      } else {
        for (String q : request.queues()) {
          QueueIndex index = queues.get(q);
          if (index != null) {
            sources.add(index);
          }
        }
      }
      for (QueueIndex index : sources) {
        promoteDue(index, request.now());
      }
      List<Job> claimed = new ArrayList<>(Math.min(request.max(), 64));
      while (claimed.size() < request.max()) {
        QueueIndex best = null;
        for (QueueIndex index : sources) {
          if (!index.ready.isEmpty()
              && (best == null
                  || CLAIM_ORDER.compare(index.ready.first(), best.ready.first()) < 0)) {
            best = index;
          }
        }
        if (best == null) {
          break;
        }
        Job job = best.ready.first();
        Job next = job.claimed(request.workerId(), request.now(), request.leaseExpiresAt());
        put(job, next);
        claimed.add(next);
      }
      return new ClaimResult(claimed, wakeMark);
    } finally {
      lock.unlock();
    }
  }

  private static void promoteDue(QueueIndex index, Instant now) {
    while (!index.scheduled.isEmpty() && !index.scheduled.first().runAt().isAfter(now)) {
      index.ready.add(index.scheduled.pollFirst());
    }
    while (!index.reserved.isEmpty() && index.reserved.first().leaseExpiresAt().isBefore(now)) {
      index.ready.add(index.reserved.pollFirst());
    }
  }

  @Override
  public Set<Lease> heartbeat(List<Heartbeat> heartbeats, Instant leaseExpiresAt, Instant now) {
    lock.lock();
    try {
      checkOpen();
      Set<Lease> lost = new HashSet<>();
      for (Heartbeat beat : heartbeats) {
        Job job = jobs.get(beat.lease().jobId());
        if (job == null || !job.isHeldBy(beat.lease())) {
          lost.add(beat.lease());
        } else {
          Job started =
              beat.startedAt() != null && job.isReserved() ? job.started(beat.startedAt()) : job;
          put(job, started.renewed(leaseExpiresAt, beat.progress()));
        }
      }
      return lost;
    } finally {
      lock.unlock();
    }
  }

  @Override
  public List<Boolean> complete(List<Completion> completions, Instant now) {
    lock.lock();
    try {
      checkOpen();
      List<Boolean> applied = new ArrayList<>(completions.size());
      boolean requeued = false;
      for (Completion c : completions) {
        Job job = jobs.get(c.lease().jobId());
        if (job == null || !job.isHeldBy(c.lease())) {
          applied.add(false);
          continue;
        }
        Job next = c.applyTo(job, now);
        put(job, next);
        requeued |= next.state().isPending();
        applied.add(true);
      }
      if (requeued) {
        signals++;
        workArrived.signalAll();
      }
      return applied;
    } finally {
      lock.unlock();
    }
  }

  @Override
  public Optional<Job> cancel(JobId id, Instant now) {
    lock.lock();
    try {
      checkOpen();
      Job job = jobs.get(id);
      if (job == null) {
        return Optional.empty();
      }
      if (job.state().isTerminal()) {
        return Optional.of(job);
      }
      Job next = job.cancelled(now);
      put(job, next);
      return Optional.of(next);
    } finally {
      lock.unlock();
    }
  }

  @Override
  public Optional<Job> requeue(JobId id, Instant now) {
    lock.lock();
    try {
      checkOpen();
      Job job = jobs.get(id);
      if (job == null) {
        return Optional.empty();
      }
      if (job.state() != JobState.FAILED && job.state() != JobState.CANCELLED) {
        throw new JobStateConflictException(
            id, job.state(), "only failed or cancelled jobs can be requeued");
      }
      Job next = job.requeued(now);
      put(job, next);
      signals++;
      workArrived.signalAll();
      return Optional.of(next);
    } finally {
      lock.unlock();
    }
  }

  @Override
  public boolean delete(JobId id) {
    lock.lock();
    try {
      checkOpen();
      Job job = jobs.get(id);
      if (job == null) {
        return false;
      }
      if (job.state() == JobState.RUNNING || job.isReserved()) {
        throw new JobStateConflictException(id, job.state(), "cancel it before deleting it");
      }
      remove(job);
      return true;
    } finally {
      lock.unlock();
    }
  }

  @Override
  public Optional<Job> get(JobId id) {
    lock.lock();
    try {
      checkOpen();
      return Optional.ofNullable(jobs.get(id));
    } finally {
      lock.unlock();
    }
  }

  @Override
  public Page<Job> list(JobQuery query) {
    lock.lock();
    try {
      checkOpen();
      JobId after = query.cursorId();
      NavigableMap<JobId, Job> view =
          after == null ? jobs.descendingMap() : jobs.headMap(after, false).descendingMap();
      List<Job> items = new ArrayList<>(query.limit());
      boolean more = false;
      for (Job job : view.values()) {
        if (!query.matches(job)) {
          continue;
        }
        if (items.size() == query.limit()) {
          more = true;
          break;
        }
        items.add(job);
      }
      String next = more ? items.get(items.size() - 1).id().toString() : null;
      return new Page<>(items, next);
    } finally {
      lock.unlock();
    }
  }

  @Override
  public JobCounts counts() {
    lock.lock();
    try {
      checkOpen();
      Map<String, Map<JobState, Long>> copy = new HashMap<>();
      counts.forEach((q, m) -> {
        Map<JobState, Long> nonZero = new EnumMap<>(JobState.class);
        m.forEach((s, n) -> {
          if (n > 0) {
            nonZero.put(s, n);
          }
        });
        copy.put(q, nonZero);
      });
      return new JobCounts(copy);
    } finally {
      lock.unlock();
    }
  }

  @Override
  public List<Job> reapExpiredLeases(Instant now, int limit) {
    lock.lock();
    try {
      checkOpen();
      List<Job> reaped = new ArrayList<>();
      for (JobId id : List.copyOf(running)) {
        if (reaped.size() == limit) {
          break;
        }
        Job job = jobs.get(id);
        if (!job.leaseExpired(now)) {
          continue;
        }
        Job next = job.reaped(now);
        put(job, next);
        reaped.add(next);
      }
      if (!reaped.isEmpty()) {
        signals++;
        workArrived.signalAll();
      }
      return reaped;
    } finally {
      lock.unlock();
    }
  }

  @Override
  public int purge(Instant finishedBefore, int limit) {
    lock.lock();
    try {
      checkOpen();
      int purged = 0;
      Iterator<Job> it = jobs.values().iterator();
      List<Job> victims = new ArrayList<>();
      while (it.hasNext() && victims.size() < limit) {
        Job job = it.next();
        if (job.state().isTerminal() && job.finishedAt().isBefore(finishedBefore)) {
          victims.add(job);
        }
      }
      for (Job job : victims) {
        remove(job);
        purged++;
      }
      return purged;
    } finally {
      lock.unlock();
    }
  }

  @Override
  public boolean awaitWork(Set<String> wanted, long wakeMark, Duration maxWait)
      throws InterruptedException {
    lock.lock();
    try {
      long seen = wakeMark;
      long nanos = maxWait.toNanos();
      while (signals == seen && nanos > 0 && !closed) {
        nanos = workArrived.awaitNanos(nanos);
      }
      return signals != seen;
    } finally {
      lock.unlock();
    }
  }

  @Override
  public void registerWorker(WorkerInfo worker) {
    workers.put(worker.id(), worker);
  }

  @Override
  public void unregisterWorker(String workerId) {
    workers.remove(workerId);
  }

  @Override
  public List<WorkerInfo> workers(Instant since) {
    return workers.values().stream()
        .filter(w -> !w.lastHeartbeatAt().isBefore(since))
        .sorted(Comparator.comparing(WorkerInfo::id))
        .toList();
  }

  @Override
  public boolean isHealthy() {
    return !closed;
  }

  @Override
  public void close() {
    lock.lock();
    try {
      closed = true;
      workArrived.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /** Replaces {@code before} (or nothing) by {@code after}, keeping every index in step. */
  private void put(Job before, Job after) {
    if (before != null) {
      unindex(before);
    }
    jobs.put(after.id(), after);
    index(after);
  }

  private void remove(Job job) {
    unindex(job);
    jobs.remove(job.id());
    if (job.idempotencyKey() != null) {
      byIdempotencyKey.remove(job.idempotencyKey(), job.id());
    }
  }

  private void index(Job job) {
    QueueIndex q = queues.computeIfAbsent(job.queue(), k -> new QueueIndex());
    switch (job.state()) {
      case QUEUED -> {
        if (job.leaseOwner() == null) {
          q.ready.add(job);
        } else {
          q.reserved.add(job);
        }
      }
      case SCHEDULED -> q.scheduled.add(job);
      case RUNNING -> running.add(job.id());
      default -> {}
    }
    counts
        .computeIfAbsent(job.queue(), k -> new EnumMap<>(JobState.class))
        .merge(job.state(), 1L, Long::sum);
  }

  private void unindex(Job job) {
    QueueIndex q = queues.get(job.queue());
    switch (job.state()) {
      case QUEUED, SCHEDULED -> {
        // A due SCHEDULED job or a lapsed claim may have been moved into ready: look there too.
        if (job.isReserved()) {
          if (!q.reserved.remove(job)) {
            q.ready.remove(job);
          }
        } else if (!q.ready.remove(job)) {
          q.scheduled.remove(job);
        }
      }
      case RUNNING -> running.remove(job.id());
      default -> {}
    }
    counts.get(job.queue()).merge(job.state(), -1L, Long::sum);
  }

  private void checkOpen() {
    if (closed) {
      throw new IllegalStateException("store is closed");
    }
  }
}
