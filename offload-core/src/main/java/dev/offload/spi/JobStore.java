package dev.offload.spi;

import dev.offload.Job;
import dev.offload.JobCounts;
import dev.offload.JobEvent;
import dev.offload.JobId;
import dev.offload.JobQuery;
import dev.offload.Lease;
import dev.offload.Page;
import dev.offload.WorkerInfo;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Where jobs live: the queue and the state of every job. Implementations: in-memory (core), SQLite
 * and PostgreSQL ({@code offload-store-sql}), Redis ({@code offload-store-redis}). Every
 * implementation must pass {@code JobStoreContract} in {@code offload-store-tck}.
 *
 * <p>Rules every implementation keeps:
 *
 * <ul>
 *   <li>Time comes from the caller ({@code now} arguments), never from the store's own clock, so
 *       tests drive a manual clock and all instances agree on one time line.
 *   <li>Every change is one of {@link Job}'s transition methods ({@code claimed}, {@code started},
 *       {@code renewed}, {@code finished}, {@code retried}, {@code released}, {@code reaped},
 *       {@code cancelled}, {@code requeued}); stores apply them or mirror them exactly.
 *   <li>Updates by a worker are fenced by its {@link Lease}: applied only while the job is held
 *       under the same token and owner ({@link Job#isHeldBy}); otherwise they are rejected and
 *       reported, never applied.
 *   <li>Each method is atomic on its own; batch methods are atomic per element at least.
 *   <li>Thread-safe; several processes may share one store (except the in-memory one).
 * </ul>
 */
public interface JobStore extends AutoCloseable {

  /**
   * Stores a new job ({@code QUEUED} or {@code SCHEDULED}). If another job already has the same
   * idempotency key, stores nothing and returns that job with {@code created == false}.
   */
  EnqueueResult enqueue(Job job);

  /** {@link #enqueue} for many jobs, in one round trip or transaction where the store can. */
  List<EnqueueResult> enqueueAll(List<Job> jobs);

  /**
   * Atomically takes up to {@code request.max()} {@link Job#isClaimable claimable} jobs (due, and
   * no live lease: a claim whose lease lapsed before its job started may be taken over) from the
   * requested queues, highest priority first, then oldest {@code runAt}, then oldest id; marks each
   * {@link Job#claimed claimed} (still {@code QUEUED}, a new lease token, no attempt charged). No
   * job is handed to two claimers while its lease holds.
   *
   * <p>The result carries the store's wake mark read before the claim looked for jobs: {@link
   * #awaitWork} takes it, so the protocol needs no per-thread state.
   */
  ClaimResult claim(ClaimRequest request);

  /**
   * Renews leases until {@code leaseExpiresAt}, storing new progress where given, and records
   * starts: a heartbeat with {@code startedAt} on a claimed job makes it {@link Job#started
   * running} and charges the attempt. Applied only to jobs held under the exact lease (token and
   * owner). Returns the leases no longer held (cancelled, reaped, claimed again, finished
   * elsewhere); the worker must stop those.
   */
  Set<Lease> heartbeat(List<Heartbeat> heartbeats, Instant leaseExpiresAt, Instant now);

  /**
   * Applies each completion if its lease is still held ({@link Completion#applyTo}): a job still
   * claimed (its start not recorded) is started and charged first, a release charges nothing.
   * Returns, per element, whether it was applied. A rejected completion changes nothing.
   */
  List<Boolean> complete(List<Completion> completions, Instant now);

  /**
   * Cancels a job ({@link Job#cancelled}): pending, claimed or running jobs become {@code
   * CANCELLED} at once (a lease is thereby lost; its worker learns it at the next heartbeat).
   * Terminal jobs are left as they are. Returns the job after the call, empty if there is no such
   * job.
   */
  Optional<Job> cancel(JobId id, Instant now);

  /**
   * Puts a {@code FAILED} or {@code CANCELLED} job back to {@code QUEUED} ({@link Job#requeued}).
   *
   * @throws dev.offload.JobStateConflictException when the job is in any other state
   */
  Optional<Job> requeue(JobId id, Instant now);

  /**
   * Deletes a job that is not running or claimed. Returns whether a job was deleted.
   *
   * @throws dev.offload.JobStateConflictException when the job is running or held by a worker
   */
  boolean delete(JobId id);

  Optional<Job> get(JobId id);

  /** Jobs matching the query, newest id first, after the query's cursor. */
  Page<Job> list(JobQuery query);

  JobCounts counts();

  /**
   * Up to {@code limit} running jobs whose lease expired before {@code now}, {@link Job#reaped
   * reaped}: the attempt is charged and recorded, the job waits again while attempts remain, else
   * fails with a {@code lease-expired} error. Claimed jobs that never started are not reaped: their
   * lapsed claim is simply taken over by the next {@link #claim}. Returns the jobs as changed;
   * fewer than {@code limit} means none are left.
   */
  List<Job> reapExpiredLeases(Instant now, int limit);

  /** Deletes up to {@code limit} terminal jobs finished before {@code finishedBefore}. */
  int purge(Instant finishedBefore, int limit);

  /**
   * Blocks until work may be available in {@code queues} (empty: any) or {@code maxWait} passes.
   * Returns at once if work was announced after {@code wakeMark} (from {@link ClaimResult}, taken
   * by any thread); must wake promptly when a job is enqueued or becomes claimable again (by any
   * process sharing the store); may wake spuriously. Returns {@code true} when woken by a signal.
   */
  boolean awaitWork(Set<String> queues, long wakeMark, Duration maxWait)
      throws InterruptedException;

  /**
   * Finished jobs this store dropped before their retention ended because a size cap the user set
   * was reached (counted since the store was opened; 0 for stores without caps).
   */
  default long finishedDropped() {
    return 0;
  }

  /** Records a worker's presence (insert or update). */
  void registerWorker(WorkerInfo worker);

  /** Removes a worker that stopped cleanly. */
  void unregisterWorker(String workerId);

  /** Workers that reported at or after {@code since}. */
  List<WorkerInfo> workers(Instant since);

  /**
   * Job changes made by other processes sharing this store, for stores that can push them
   * (PostgreSQL NOTIFY, Redis pub/sub). The default pushes nothing: an engine always sees its own
   * changes without the store.
   */
  default AutoCloseable subscribe(Consumer<JobEvent> listener) {
    return () -> {};
  }

  /** Whether the store answers (for readiness checks); must not block for long. */
  boolean isHealthy();

  /** Releases connections and threads. */
  @Override
  void close();
}
