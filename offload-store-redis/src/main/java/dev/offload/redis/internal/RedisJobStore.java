package dev.offload.redis.internal;

import dev.offload.Job;
import dev.offload.JobCounts;
import dev.offload.JobError;
import dev.offload.JobEvent;
import dev.offload.JobId;
import dev.offload.JobQuery;
import dev.offload.JobState;
import dev.offload.JobStateConflictException;
import dev.offload.Lease;
import dev.offload.Page;
import dev.offload.StoreException;
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
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.Consumer;
import redis.clients.jedis.RedisClient;

/**
 * A {@link JobStore} on Redis. Open it with {@code JobStores.open("redis://host:6379/0")}.
 *
 * <p>Design: every state change is one Lua script ({@code src/main/resources/.../lua}), so each is
 * atomic and fenced inside Redis; Java only encodes arguments and decodes replies. Commands go
 * through one pooled client ({@link RedisClient}, Jedis' pooled {@code UnifiedJedis}); pub/sub for
 * wake-ups and events has its own dedicated connection ({@link Signals}). Key layout, scripts,
 * memory bounds and durability: {@code docs/REDIS.md}.
 */
public final class RedisJobStore implements JobStore {
  /** The version of the key layout (docs/REDIS.md); bump it when the layout changes. */
  static final String LAYOUT = "2";

  /**
   * Layouts this version upgrades in place when it opens a prefix. Layout 2 only adds to layout 1
   * (per-queue reservation sets; job fields for the lease token, lost reservations and history,
   * read as 0 and empty when absent), so a layout-1 prefix is marked layout 2 and read as is;
   * processes of the older version then refuse it rather than misread it.
   */
  private static final String UPGRADABLE = "1";

  private static final int ENQUEUE_CHUNK = 500;
  private static final int REAP_CHUNK = 500;
  private static final int PURGE_CHUNK = 250;
  private static final Duration FORGET_SILENT_WORKERS = Duration.ofDays(1);
  private static final String CANCELLED =
      JobCodec.error(new JobError(JobError.CANCELLED, "cancelled", null));

  private static final LuaScript ENQUEUE = LuaScript.load("enqueue");
  private static final LuaScript CLAIM = LuaScript.load("claim");
  private static final LuaScript HEARTBEAT = LuaScript.load("heartbeat");
  private static final LuaScript COMPLETE = LuaScript.load("complete");
  private static final LuaScript CANCEL = LuaScript.load("cancel");
  private static final LuaScript REQUEUE = LuaScript.load("requeue");
  private static final LuaScript DELETE = LuaScript.load("delete");
  private static final LuaScript REAP_SCAN = LuaScript.load("reap_scan");
  private static final LuaScript REAP = LuaScript.load("reap");
  private static final LuaScript PURGE = LuaScript.load("purge");
  private static final LuaScript REGISTER_WORKER = LuaScript.load("register_worker");

  private final RedisConfig config;
  private final RedisConnection connection;
  private final RedisClient redis;
  private final Signals signals;
  private final JobLister lister;
  private final String prefix;
  private final String channelPrefix;
  private final String origin;
  private final DroppedFinished dropped;
  private volatile boolean closed;

  private RedisJobStore(RedisConfig config, RedisConnection connection) {
    this.config = config;
    this.connection = connection;
    this.redis = connection.client();
    this.prefix = config.prefix();
    this.origin = UUID.randomUUID().toString();
    this.channelPrefix = prefix + ":" + config.database();
    this.signals =
        new Signals(connection.address(), connection.clientConfig(), redis, channelPrefix, origin);
    this.lister = new JobLister(redis, prefix);
    this.dropped = new DroppedFinished(config.maskedUrl(), config.maxFinished(), signals::schedule);
  }

  /**
   * Opens the store {@code url} names, failing fast when Redis cannot be reached.
   *
   * @throws StoreException naming the URL (password masked)
   */
  public static RedisJobStore open(String url) {
    return open(RedisConfig.parse(url));
  }

  public static RedisJobStore open(RedisConfig config) {
    RedisConnection connection = RedisConnection.open(config);
    try {
      checkLayout(config, connection);
    } catch (RuntimeException e) {
      connection.close();
      throw e;
    }
    return new RedisJobStore(config, connection);
  }

  /**
   * Marks the prefix with the key layout this code writes ({@code P:meta layout}), and refuses a
   * prefix written in another layout rather than misread it.
   */
  private static void checkLayout(RedisConfig config, RedisConnection connection) {
    String key = config.prefix() + ":meta";
    String layout =
        connection.write(
            "open",
            () -> {
              connection.client().hsetnx(key, "layout", LAYOUT);
              // Atomic: two processes opening a layout-1 prefix at once both see layout 2.
              Object now =
                  connection
                      .client()
                      .eval(
                          "if redis.call('HGET', KEYS[1], 'layout') == ARGV[1] then"
                              + " redis.call('HSET', KEYS[1], 'layout', ARGV[2]) end"
                              + " return redis.call('HGET', KEYS[1], 'layout')",
                          List.of(key),
                          List.of(UPGRADABLE, LAYOUT));
              return (String) now;
            });
    if (!LAYOUT.equals(layout)) {
      throw new StoreException(
          "Redis store "
              + config.maskedUrl()
              + ": prefix '"
              + config.prefix()
              + "' holds key layout "
              + layout
              + ", this version reads layout "
              + LAYOUT
              + "; use another prefix or migrate the data");
    }
  }

  /** The parsed URL this store was opened with. */
  public RedisConfig config() {
    return config;
  }

  @Override
  public EnqueueResult enqueue(Job job) {
    return enqueueAll(List.of(job)).get(0);
  }

  @Override
  public List<EnqueueResult> enqueueAll(List<Job> jobs) {
    checkOpen();
    for (Job job : jobs) {
      if (!job.state().isPending()) {
        throw new IllegalArgumentException("enqueue takes a pending job, got " + job.state());
      }
    }
    List<EnqueueResult> results = new ArrayList<>(jobs.size());
    for (int from = 0; from < jobs.size(); from += ENQUEUE_CHUNK) {
      List<Job> chunk = jobs.subList(from, Math.min(jobs.size(), from + ENQUEUE_CHUNK));
      results.addAll(connection.write("enqueue", () -> enqueueChunk(chunk)));
    }
    return results;
  }

  private List<EnqueueResult> enqueueChunk(List<Job> chunk) {
    List<String> args = common();
    for (Job job : chunk) {
      List<String> fields = JobCodec.fields(job);
      args.add(job.id().toString());
      args.add(job.idempotencyKey() == null ? "" : job.idempotencyKey());
      args.add(job.queue());
      args.add(job.state().wireName());
      args.add(Integer.toString(job.priority()));
      args.add(JobCodec.time(job.runAt()));
      args.add(dueAtCreation(job) ? "1" : "0");
      args.add(job.task());
      args.add(Integer.toString(job.attempts()));
      args.add(JobCodec.time(job.createdAt()));
      args.add(
          job.leaseOwner() == null || job.leaseExpiresAt() == null
              ? ""
              : JobCodec.time(job.leaseExpiresAt()));
      args.add(Integer.toString(fields.size()));
      args.addAll(fields);
    }
    List<?> reply = (List<?>) ENQUEUE.run(redis, args);
    List<EnqueueResult> results = new ArrayList<>(chunk.size());
    String duplicate = null;
    for (int i = 0; i < chunk.size(); i++) {
      Job job = chunk.get(i);
      Object r = reply.get(i);
      if (r instanceof List<?> existing) {
        results.add(new EnqueueResult(JobCodec.fromFlat(existing), false));
      } else if ("exists".equals(r)) {
        duplicate = job.id().toString();
        results.add(null);
      } else {
        results.add(new EnqueueResult(job, true));
        if (job.leaseOwner() != null) {
          continue; // held by a worker: nothing to claim
        }
        if (dueAtCreation(job)) {
          signals.wake(job.queue());
        } else {
          signals.wakeLater(job.queue(), Duration.between(job.createdAt(), job.runAt()));
        }
      }
    }
    if (duplicate != null) {
      throw new IllegalArgumentException("job " + duplicate + " exists already");
    }
    return results;
  }

  private static boolean dueAtCreation(Job job) {
    return job.state() == JobState.QUEUED || !job.runAt().isAfter(job.createdAt());
  }

  @Override
  public ClaimResult claim(ClaimRequest request) {
    checkOpen();
    long wakeMark = signals.mark();
    List<String> args = common();
    args.add(request.workerId());
    args.add(Integer.toString(request.max()));
    args.add(JobCodec.time(request.now()));
    args.add(JobCodec.time(request.leaseExpiresAt()));
    args.addAll(request.queues());
    List<Job> claimed = connection.write("claim", () -> jobs((List<?>) CLAIM.run(redis, args)));
    return new ClaimResult(claimed, wakeMark);
  }

  @Override
  public Set<Lease> heartbeat(List<Heartbeat> heartbeats, Instant leaseExpiresAt, Instant now) {
    checkOpen();
    if (heartbeats.isEmpty()) {
      return Set.of();
    }
    List<String> args = common();
    args.add(JobCodec.time(leaseExpiresAt));
    args.add(JobCodec.time(now));
    for (Heartbeat beat : heartbeats) {
      addLease(args, beat.lease());
      args.add(JobCodec.opt(JobCodec.progress(beat.progress())));
      args.add(JobCodec.opt(beat.startedAt() == null ? null : JobCodec.time(beat.startedAt())));
    }
    List<?> lost = connection.write("heartbeat", () -> (List<?>) HEARTBEAT.run(redis, args));
    Set<Lease> leases = new HashSet<>();
    for (Object position : lost) {
      leases.add(heartbeats.get(((Long) position).intValue() - 1).lease());
    }
    return leases;
  }

  @Override
  public List<Boolean> complete(List<Completion> completions, Instant now) {
    checkOpen();
    if (completions.isEmpty()) {
      return List.of();
    }
    List<String> args = common();
    args.add(JobCodec.time(now));
    for (Completion c : completions) {
      addLease(args, c.lease());
      args.add(
          switch (c.outcome()) {
            case SUCCEEDED -> "S";
            case FAILED -> "F";
            case RETRY -> "R";
            case RELEASE -> "L";
          });
      args.add(JobCodec.opt(c.result()));
      args.add(JobCodec.opt(JobCodec.error(c.error())));
      args.add(JobCodec.opt(c.retryAt() == null ? null : JobCodec.time(c.retryAt())));
      args.add(JobCodec.opt(c.startedAt() == null ? null : JobCodec.time(c.startedAt())));
    }
    List<?> reply = connection.write("complete", () -> (List<?>) COMPLETE.run(redis, args));
    dropped.add(reply.get(completions.size()));
    List<Boolean> applied = new ArrayList<>(completions.size());
    for (int i = 0; i < completions.size(); i++) {
      Object r = reply.get(i);
      applied.add(!Long.valueOf(0).equals(r));
      if (r instanceof String queue) {
        Completion c = completions.get(i);
        if (c.outcome() == Completion.Outcome.RETRY && c.retryAt().isAfter(now)) {
          signals.wakeLater(queue, Duration.between(now, c.retryAt()));
        } else {
          signals.wake(queue);
        }
      }
    }
    return applied;
  }

  private static void addLease(List<String> args, Lease lease) {
    args.add(lease.jobId().toString());
    args.add(Long.toString(lease.token()));
    args.add(lease.owner());
  }

  @Override
  public Optional<Job> cancel(JobId id, Instant now) {
    checkOpen();
    List<String> args = args(id.toString(), JobCodec.time(now), CANCELLED);
    List<?> reply = connection.write("cancel", () -> (List<?>) CANCEL.run(redis, args));
    if (reply == null) {
      return Optional.empty();
    }
    dropped.add(reply.get(1));
    return Optional.ofNullable(JobCodec.fromFlat((List<?>) reply.get(0)));
  }

  @Override
  public Optional<Job> requeue(JobId id, Instant now) {
    checkOpen();
    List<String> args = args(id.toString(), JobCodec.time(now));
    List<?> reply = connection.write("requeue", () -> (List<?>) REQUEUE.run(redis, args));
    if (reply == null) {
      return Optional.empty();
    }
    if ("conflict".equals(reply.get(0))) {
      throw new JobStateConflictException(
          id,
          JobState.fromWireName((String) reply.get(1)),
          "only failed or cancelled jobs can be requeued");
    }
    Job job = JobCodec.fromFlat((List<?>) reply.get(1));
    signals.wake(job.queue());
    return Optional.of(job);
  }

  @Override
  public boolean delete(JobId id) {
    checkOpen();
    Object reply = connection.write("delete", () -> DELETE.run(redis, args(id.toString())));
    if (reply instanceof String state) {
      // running, or queued and held by a worker that claimed it
      throw new JobStateConflictException(
          id, JobState.fromWireName(state), "cancel it before deleting it");
    }
    return Long.valueOf(1).equals(reply);
  }

  @Override
  public Optional<Job> get(JobId id) {
    checkOpen();
    return connection.read(
        "get", () -> Optional.ofNullable(JobCodec.fromMap(redis.hgetAll(prefix + ":job:" + id))));
  }

  @Override
  public Page<Job> list(JobQuery query) {
    checkOpen();
    return connection.read("list", () -> lister.list(query));
  }

  @Override
  public JobCounts counts() {
    checkOpen();
    Map<String, String> raw = connection.read("counts", () -> redis.hgetAll(prefix + ":counts"));
    Map<String, Map<JobState, Long>> byQueue = new HashMap<>();
    raw.forEach((field, n) -> {
      int bar = field.indexOf('|');
      long count = Long.parseLong(n);
      if (count > 0) {
        byQueue
            .computeIfAbsent(field.substring(bar + 1), q -> new EnumMap<>(JobState.class))
            .put(JobState.fromWireName(field.substring(0, bar)), count);
      }
    });
    return new JobCounts(byQueue);
  }

  @Override
  public List<Job> reapExpiredLeases(Instant now, int limit) {
    checkOpen();
    String at = JobCodec.time(now);
    List<Job> reaped = new ArrayList<>();
    // A scanned lease may be renewed before reap.lua re-checks it: scan again while the scan came
    // back full and the limit is not reached, so fewer than `limit` means none are left.
    for (int round = 0; round < 10 && reaped.size() < limit; round++) {
      int want = Math.min(REAP_CHUNK, limit - reaped.size());
      List<?> expired =
          connection.write("reap", () -> (List<?>) REAP_SCAN.run(redis, args(at, "" + want)));
      if (expired.isEmpty()) {
        break;
      }
      List<String> args = args(at);
      for (int i = 0; i + 3 < expired.size(); i += 4) {
        String owner = (String) expired.get(i + 2);
        Instant lease = JobCodec.parseTime((String) expired.get(i + 3));
        JobError error =
            new JobError(
                JobError.LEASE_EXPIRED, "lease of worker " + owner + " expired at " + lease, null);
        args.add((String) expired.get(i));
        args.add((String) expired.get(i + 1));
        args.add(owner);
        args.add(JobCodec.error(error));
      }
      List<?> reply = connection.write("reap", () -> (List<?>) REAP.run(redis, args));
      dropped.add(reply.get(1));
      List<Job> changed = jobs((List<?>) reply.get(0));
      for (Job job : changed) {
        if (job.state() == JobState.QUEUED) {
          signals.wake(job.queue());
        }
      }
      reaped.addAll(changed);
      if (expired.size() < 4 * want) {
        break;
      }
    }
    return reaped;
  }

  @Override
  public int purge(Instant finishedBefore, int limit) {
    checkOpen();
    String before = JobCodec.time(finishedBefore);
    int purged = 0;
    while (purged < limit) {
      int chunk = Math.min(PURGE_CHUNK, limit - purged);
      long n = connection.write("purge", () -> (Long) PURGE.run(redis, args(before, "" + chunk)));
      purged += (int) n;
      if (n < chunk) {
        break;
      }
    }
    return purged;
  }

  @Override
  public boolean awaitWork(Set<String> queues, long wakeMark, Duration maxWait)
      throws InterruptedException {
    checkOpen();
    return signals.awaitWork(queues, wakeMark, maxWait);
  }

  @Override
  public long finishedDropped() {
    return dropped.total();
  }

  @Override
  public void registerWorker(WorkerInfo worker) {
    checkOpen();
    long seen = worker.lastHeartbeatAt().toEpochMilli();
    List<String> args =
        args(
            worker.id(),
            WorkerCodec.write(worker),
            Long.toString(seen),
            Long.toString(seen - FORGET_SILENT_WORKERS.toMillis()));
    connection.write("registerWorker", () -> REGISTER_WORKER.run(redis, args));
  }

  @Override
  public void unregisterWorker(String workerId) {
    checkOpen();
    connection.write(
        "unregisterWorker",
        () -> {
          redis.hdel(prefix + ":workers", workerId);
          return redis.zrem(prefix + ":workers:seen", workerId);
        });
  }

  @Override
  public List<WorkerInfo> workers(Instant since) {
    checkOpen();
    Map<String, String> raw = connection.read("workers", () -> redis.hgetAll(prefix + ":workers"));
    return raw.values().stream()
        .map(WorkerCodec::read)
        .filter(w -> !w.lastHeartbeatAt().isBefore(since))
        .sorted(java.util.Comparator.comparing(WorkerInfo::id))
        .toList();
  }

  @Override
  public AutoCloseable subscribe(Consumer<JobEvent> listener) {
    checkOpen();
    return signals.subscribe(listener);
  }

  @Override
  public boolean isHealthy() {
    if (closed) {
      return false;
    }
    try {
      return "PONG".equals(connection.read("ping", redis::ping));
    } catch (StoreException | IllegalStateException e) {
      return false;
    }
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    dropped.flush();
    signals.close();
    connection.close();
  }

  @Override
  public String toString() {
    return "RedisJobStore[" + config.maskedUrl() + "]";
  }

  /** The arguments every script starts with (see prelude.lua). */
  private List<String> common() {
    List<String> args = new ArrayList<>(64);
    args.add(prefix);
    args.add(channelPrefix);
    args.add(origin);
    args.add(Long.toString(config.maxFinished()));
    args.add(signals.listeningToEvents() ? "1" : "0");
    return args;
  }

  private List<String> args(String... own) {
    List<String> args = common();
    args.addAll(List.of(own));
    return args;
  }

  private static List<Job> jobs(List<?> flats) {
    List<Job> jobs = new ArrayList<>(flats.size());
    for (Object flat : flats) {
      Job job = JobCodec.fromFlat((List<?>) flat);
      if (job != null) {
        jobs.add(job);
      }
    }
    return jobs;
  }

  private void checkOpen() {
    if (closed) {
      throw new IllegalStateException("store is closed");
    }
  }
}
