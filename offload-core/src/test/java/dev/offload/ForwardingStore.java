package dev.offload;

import dev.offload.spi.ClaimRequest;
import dev.offload.spi.ClaimResult;
import dev.offload.spi.Completion;
import dev.offload.spi.EnqueueResult;
import dev.offload.spi.Heartbeat;
import dev.offload.spi.JobStore;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;

/** A store that forwards every call; tests override the calls they slow down or break. */
class ForwardingStore implements JobStore {
  final JobStore delegate;

  ForwardingStore(JobStore delegate) {
    this.delegate = delegate;
  }

  @Override
  public EnqueueResult enqueue(Job job) {
    return delegate.enqueue(job);
  }

  @Override
  public List<EnqueueResult> enqueueAll(List<Job> jobs) {
    return delegate.enqueueAll(jobs);
  }

  @Override
  public ClaimResult claim(ClaimRequest request) {
    return delegate.claim(request);
  }

  @Override
  public Set<Lease> heartbeat(List<Heartbeat> heartbeats, Instant leaseExpiresAt, Instant now) {
    return delegate.heartbeat(heartbeats, leaseExpiresAt, now);
  }

  @Override
  public List<Boolean> complete(List<Completion> completions, Instant now) {
    return delegate.complete(completions, now);
  }

  @Override
  public Optional<Job> cancel(JobId id, Instant now) {
    return delegate.cancel(id, now);
  }

  @Override
  public Optional<Job> requeue(JobId id, Instant now) {
    return delegate.requeue(id, now);
  }

  @Override
  public boolean delete(JobId id) {
    return delegate.delete(id);
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
  public List<Job> reapExpiredLeases(Instant now, int limit) {
    return delegate.reapExpiredLeases(now, limit);
  }

  @Override
  public int purge(Instant finishedBefore, int limit) {
    return delegate.purge(finishedBefore, limit);
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
  public AutoCloseable subscribe(Consumer<JobEvent> listener) {
    return delegate.subscribe(listener);
  }

  @Override
  public boolean isHealthy() {
    return delegate.isHealthy();
  }

  @Override
  public void close() {
    delegate.close();
  }
}
