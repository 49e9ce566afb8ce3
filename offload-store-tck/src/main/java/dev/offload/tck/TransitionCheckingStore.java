package dev.offload.tck;

import dev.offload.Job;
import dev.offload.JobCounts;
import dev.offload.JobId;
import dev.offload.JobQuery;
import dev.offload.JobState;
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
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Wraps a store and compares every job before and after each changing call, recording each change
 * the transition table does not allow, plus the hidden ones it cannot see: a running job that
 * starts a new attempt without leaving {@code RUNNING}, attempts that go down or jump, a finished
 * job edited in place, jobs appearing or vanishing through the wrong call.
 *
 * <p>Single-threaded use only: it snapshots the whole store (through {@link JobStore#list}) around
 * each call, so two calls in flight would see each other's changes.
 */
final class TransitionCheckingStore implements JobStore {
  private final JobStore delegate;
  private final List<String> violations = new ArrayList<>();
  private final Set<String> observed = new LinkedHashSet<>();

  TransitionCheckingStore(JobStore delegate) {
    this.delegate = delegate;
  }

  /** Every rule broken so far, one line each. */
  List<String> violations() {
    return List.copyOf(violations);
  }

  /** The state changes seen so far, as {@code "QUEUED->RUNNING"}. */
  Set<String> observedTransitions() {
    return Set.copyOf(observed);
  }

  @Override
  public EnqueueResult enqueue(Job job) {
    return checked("enqueue", Change.ENQUEUE, () -> delegate.enqueue(job));
  }

  @Override
  public List<EnqueueResult> enqueueAll(List<Job> jobs) {
    return checked("enqueueAll", Change.ENQUEUE, () -> delegate.enqueueAll(jobs));
  }

  @Override
  public ClaimResult claim(ClaimRequest request) {
    return checked("claim", Change.STATE, () -> delegate.claim(request));
  }

  @Override
  public Set<Lease> heartbeat(List<Heartbeat> heartbeats, Instant leaseExpiresAt, Instant now) {
    return checked(
        "heartbeat", Change.FIELDS, () -> delegate.heartbeat(heartbeats, leaseExpiresAt, now));
  }

  @Override
  public List<Boolean> complete(List<Completion> completions, Instant now) {
    return checked("complete", Change.STATE, () -> delegate.complete(completions, now));
  }

  @Override
  public Optional<Job> cancel(JobId id, Instant now) {
    return checked("cancel", Change.STATE, () -> delegate.cancel(id, now));
  }

  @Override
  public Optional<Job> requeue(JobId id, Instant now) {
    return checked("requeue", Change.STATE, () -> delegate.requeue(id, now));
  }

  @Override
  public boolean delete(JobId id) {
    return checked("delete", Change.REMOVE, () -> delegate.delete(id));
  }

  @Override
  public List<Job> reapExpiredLeases(Instant now, int limit) {
    return checked("reapExpiredLeases", Change.STATE, () -> delegate.reapExpiredLeases(now, limit));
  }

  @Override
  public int purge(Instant finishedBefore, int limit) {
    return checked("purge", Change.REMOVE, () -> delegate.purge(finishedBefore, limit));
  }

  @Override
  public Optional<Job> get(JobId id) {
    return delegate.get(id);
  }

  @Override
  public Page<Job> list(JobQuery query) {
    return delegate.list(query);
  }

  @Override
  public JobCounts counts() {
    return delegate.counts();
  }

  @Override
  public boolean awaitWork(Set<String> queues, long wakeMark, Duration maxWait)
      throws InterruptedException {
    return delegate.awaitWork(queues, wakeMark, maxWait);
  }

  @Override
  public void registerWorker(WorkerInfo worker) {
    delegate.registerWorker(worker);
  }

  @Override
  public void unregisterWorker(String workerId) {
    delegate.unregisterWorker(workerId);
  }

  @Override
  public List<WorkerInfo> workers(Instant since) {
    return delegate.workers(since);
  }

  @Override
  public boolean isHealthy() {
    return delegate.isHealthy();
  }

  /** Does not close the wrapped store: its owner does. */
  @Override
  public void close() {}

  /** What a call may do besides legal state changes. */
  private enum Change {
    /** Add pending jobs. */
    ENQUEUE,
    /** Change states by the table. */
    STATE,
    /** Change fields of held jobs only, and start claimed ones (heartbeat). */
    FIELDS,
    /** Remove jobs that are not running. */
    REMOVE
  }

  private <T> T checked(String call, Change allowed, Supplier<T> body) {
    Map<JobId, Job> before = snapshot();
    try {
      return body.get();
    } finally {
      compare(call, allowed, before, snapshot());
    }
  }

  private void compare(String call, Change allowed, Map<JobId, Job> before, Map<JobId, Job> after) {
    for (Job old : before.values()) {
      Job now = after.get(old.id());
      if (now == null) {
        if (allowed != Change.REMOVE) {
          violations.add(call + " removed job " + old.id() + " (" + old.state() + ")");
        } else if (old.state() == JobState.RUNNING || old.isReserved()) {
          violations.add(call + " removed held job " + old.id());
        }
      } else if (!now.equals(old)) {
        compareJob(call, allowed, old, now);
      }
    }
    for (Job added : after.values()) {
      if (!before.containsKey(added.id())
          && (allowed != Change.ENQUEUE || !added.state().isPending() || added.attempts() != 0)) {
        violations.add(call + " added job " + added.id() + " as " + added.state());
      }
    }
  }

  private void compareJob(String call, Change allowed, Job old, Job now) {
    String where = call + " on job " + old.id() + ": ";
    // A claimed job's completion starts it on the way: queued -> running -> the outcome.
    boolean startedOnTheWay =
        old.isReserved()
            && (now.state().isTerminal() || now.state() == JobState.SCHEDULED)
            && now.state() != JobState.CANCELLED;
    boolean held = old.state() == JobState.RUNNING || old.isReserved();
    if (old.state() != now.state()) {
      observed.add(old.state() + "->" + now.state());
      boolean startByHeartbeat =
          allowed == Change.FIELDS && old.isReserved() && now.state() == JobState.RUNNING;
      if (allowed != Change.STATE && !startByHeartbeat) {
        violations.add(where + "state changed " + old.state() + " -> " + now.state());
      } else if (!old.state().canTransitionTo(now.state()) && !startedOnTheWay) {
        violations.add(where + "illegal transition " + old.state() + " -> " + now.state());
      }
    } else if (old.state().isTerminal()) {
      violations.add(where + old.state() + " job changed in place: " + old + " -> " + now);
    } else if (!held && allowed != Change.STATE) {
      violations.add(where + old.state() + " job changed in place: " + old + " -> " + now);
    } else if (allowed == Change.ENQUEUE || allowed == Change.REMOVE) {
      violations.add(where + "held job changed: " + old + " -> " + now);
    }
    boolean charged =
        old.state() != JobState.RUNNING && (now.state() == JobState.RUNNING || startedOnTheWay);
    boolean refunded =
        old.state() == JobState.RUNNING
            && now.state() == JobState.QUEUED
            && now.history().size() == old.history().size();
    int expectedAttempts = old.attempts() + (charged ? 1 : 0) - (refunded ? 1 : 0);
    if (now.attempts() != expectedAttempts) {
      violations.add(
          where
              + "attempts "
              + old.attempts()
              + " -> "
              + now.attempts()
              + " on "
              + old.state()
              + " -> "
              + now.state());
    }
    if (old.state() == JobState.RUNNING
        && now.state() == JobState.RUNNING
        && now.leaseToken() != old.leaseToken()) {
      violations.add(
          where + "running job's lease token changed without reaping: " + old + " -> " + now);
    }
    if (now.leaseToken() < old.leaseToken()) {
      violations.add(
          where + "lease token went back " + old.leaseToken() + " -> " + now.leaseToken());
    }
  }

  private Map<JobId, Job> snapshot() {
    Map<JobId, Job> all = new HashMap<>();
    JobQuery query = JobQuery.all().limit(JobQuery.MAX_LIMIT);
    while (true) {
      Page<Job> page = delegate.list(query);
      page.items().forEach(j -> all.put(j.id(), j));
      if (page.nextCursor() == null) {
        return all;
      }
      query = query.cursor(page.nextCursor());
    }
  }
}
