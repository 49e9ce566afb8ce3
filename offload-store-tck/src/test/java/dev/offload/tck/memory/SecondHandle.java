package dev.offload.tck.memory;

import dev.offload.Job;
import dev.offload.JobCounts;
import dev.offload.JobId;
import dev.offload.JobQuery;
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
import java.util.List;
import java.util.Optional;
import java.util.Set;

/** Another handle on a store: every call goes to it, except close, which its owner does. */
final class SecondHandle implements JobStore {
  private final JobStore store;

  SecondHandle(JobStore store) {
    this.store = store;
  }

  @Override
  public EnqueueResult enqueue(Job job) {
    return store.enqueue(job);
  }

  @Override
  public List<EnqueueResult> enqueueAll(List<Job> jobs) {
    return store.enqueueAll(jobs);
  }

  @Override
  public ClaimResult claim(ClaimRequest request) {
    return store.claim(request);
  }

  @Override
  public Set<Lease> heartbeat(List<Heartbeat> heartbeats, Instant leaseExpiresAt, Instant now) {
    return store.heartbeat(heartbeats, leaseExpiresAt, now);
  }

  @Override
  public List<Boolean> complete(List<Completion> completions, Instant now) {
    return store.complete(completions, now);
  }

  @Override
  public Optional<Job> cancel(JobId id, Instant now) {
    return store.cancel(id, now);
  }

  @Override
  public Optional<Job> requeue(JobId id, Instant now) {
    return store.requeue(id, now);
  }

  @Override
  public boolean delete(JobId id) {
    return store.delete(id);
  }

  @Override
  public Optional<Job> get(JobId id) {
    return store.get(id);
  }

  @Override
  public Page<Job> list(JobQuery query) {
    return store.list(query);
  }

  @Override
  public JobCounts counts() {
    return store.counts();
  }

  @Override
  public List<Job> reapExpiredLeases(Instant now, int limit) {
    return store.reapExpiredLeases(now, limit);
  }

  @Override
  public int purge(Instant finishedBefore, int limit) {
    return store.purge(finishedBefore, limit);
  }

  @Override
  public boolean awaitWork(Set<String> queues, long wakeMark, Duration maxWait)
      throws InterruptedException {
    return store.awaitWork(queues, wakeMark, maxWait);
  }

  @Override
  public void registerWorker(WorkerInfo worker) {
    store.registerWorker(worker);
  }

  @Override
  public void unregisterWorker(String workerId) {
    store.unregisterWorker(workerId);
  }

  @Override
  public List<WorkerInfo> workers(Instant since) {
    return store.workers(since);
  }

  @Override
  public boolean isHealthy() {
    return store.isHealthy();
  }

  @Override
  public void close() {}
}
