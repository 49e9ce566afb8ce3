package dev.offload.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.offload.Job;
import dev.offload.JobAttempt;
import dev.offload.JobSpec;
import dev.offload.JobState;
import dev.offload.JobStores;
import dev.offload.Offload;
import dev.offload.Task;
import dev.offload.TaskRegistry;
import dev.offload.redis.internal.JobCodec;
import dev.offload.spi.JobStore;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.commands.ProtocolCommand;

/**
 * Issue 11: lease renewal cannot be starved. A job that runs for many lease periods on one engine
 * keeps its 1 s lease while the store purges 1,000,000 finished jobs (another engine reaping all
 * along, as every instance does) and while Redis stops answering for 300 ms at a time, again and
 * again: it is never reaped, never run twice, and ends with one charged attempt.
 *
 * <p>On a private redis-server (the purge and {@code DEBUG SLEEP} would disturb other users of the
 * shared one).
 */
@Tag("service")
class RedisLeaseRenewalTest {
  private static final int FINISHED = Integer.getInteger("offload.test.finishedJobs", 1_000_000);
  private static final Duration LEASE = Duration.ofSeconds(1);
  private static final int SLOW_SPELLS = 8;

  /** Lets the long job end; counts its runs. */
  private static final CountDownLatch RELEASE = new CountDownLatch(1);

  private static final AtomicInteger RUNS = new AtomicInteger();

  private static final ProtocolCommand DEBUG =
      () -> "DEBUG".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

  public record Hold(int n) {}

  static final Task<Hold, Integer> LONG =
      Task.of(
          "lease.long",
          Hold.class,
          Integer.class,
          (in, ctx) -> {
            RUNS.incrementAndGet();
            if (!RELEASE.await(5, TimeUnit.MINUTES)) {
              throw new IllegalStateException("never released");
            }
            return in.n();
          });

  /** Writes {@code count} finished jobs from {@code from} in one script call. */
  private static final String FILL =
      """
      local P, from, to, fa, q = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3]), ARGV[4], ARGV[5]
      local ids, st, fin = {}, {}, {}
      for n = from, to do
        local id = string.format('00000000-0000-7000-8000-%012d', n)
        redis.call('HSET', P .. ':job:' .. id, 'id', id, 'task', 'filler', 'q', q,
          'st', 'succeeded', 'pri', '0', 'in', '{}', 'res', '1', 'att', '1', 'max', '1',
          'boff', 'PT1S|PT1M', 'ca', fa, 'ra', fa, 'sa', fa, 'fa', fa, 'tok', '1', 'lost', '0')
        ids[#ids + 1] = 0
        ids[#ids + 1] = id
        fin[#fin + 1] = 0
        fin[#fin + 1] = fa .. id
        if #ids >= 4000 then
          redis.call('ZADD', P .. ':ids', unpack(ids))
          redis.call('ZADD', P .. ':st:succeeded', unpack(ids))
          redis.call('ZADD', P .. ':finished', unpack(fin))
          ids, fin = {}, {}
        end
      end
      if #ids > 0 then
        redis.call('ZADD', P .. ':ids', unpack(ids))
        redis.call('ZADD', P .. ':st:succeeded', unpack(ids))
        redis.call('ZADD', P .. ':finished', unpack(fin))
      end
      redis.call('HINCRBY', P .. ':counts', 'succeeded|' .. q, to - from + 1)
      redis.call('SADD', P .. ':queues', q)
      return to - from + 1
      """;

  @Test
  void renewalKeepsALongJobAliveWhileTheStorePurgesAMillionJobsAndRedisAnswersSlowly()
      throws Exception {
    Path dir = Path.of("target", "redis-lease-" + UUID.randomUUID());
    try (PrivateRedis redis = PrivateRedis.start(dir, "--enable-debug-command", "yes");
        Jedis admin = admin(redis)) {
      String url = redis.url() + "?prefix=lease";
      // The filler jobs finished long ago: everything is due for purging.
      String longAgo = JobCodec.time(Instant.parse("2020-01-01T00:00:00Z"));
      for (int from = 0; from < FINISHED; from += 50_000) {
        admin.eval(
            FILL, List.of(), List.of("lease", "" + from, "" + (from + 49_999), longAgo, "filler"));
      }
      assertThat(admin.zcard("lease:finished")).isEqualTo(FINISHED);

      TaskRegistry tasks = TaskRegistry.of(LONG);
      try (Offload other =
              Offload.builder()
                  .tasks(tasks)
                  .storeUrl(url)
                  .workers(false) // submits, reaps and purges, never runs the job
                  .leaseDuration(LEASE)
                  .pollInterval(Duration.ofMillis(250))
                  .resultRetention(Duration.ofMinutes(1))
                  .build();
          Offload runner =
              Offload.builder()
                  .tasks(tasks)
                  .storeUrl(url)
                  .leaseDuration(LEASE)
                  .pollInterval(Duration.ofMillis(250))
                  .resultRetention(Duration.ofMinutes(1))
                  .build();
          JobStore purger = JobStores.open(url);
          ScheduledExecutorService slow = Executors.newSingleThreadScheduledExecutor()) {
        Job submitted = other.submit(JobSpec.of("lease.long", new Hold(7)).maxAttempts(3));
        await()
            .atMost(Duration.ofSeconds(30))
            .until(() -> other.job(submitted.id()).state() == JobState.RUNNING);

        // Redis stops answering for 300 ms, every 700 ms, for as long as the purge runs and at
        // least SLOW_SPELLS times.
        AtomicInteger spells = new AtomicInteger();
        AtomicLong purged = new AtomicLong(-1);
        try (Jedis sleeper = admin(redis)) {
          slow.scheduleAtFixedRate(
              () -> {
                sleeper.sendCommand(DEBUG, "SLEEP", "0.3");
                spells.incrementAndGet();
              },
              0,
              700,
              TimeUnit.MILLISECONDS);
          // One store call that deletes the whole backlog (1,000 jobs per script), on top of the
          // engines' own bounded purge runs.
          Thread purge =
              Thread.ofPlatform().start(() -> purged.set(purger.purge(Instant.now(), FINISHED)));
          await()
              .atMost(Duration.ofMinutes(4))
              .pollInterval(Duration.ofMillis(200))
              .until(() -> !purge.isAlive() && spells.get() >= SLOW_SPELLS);
          slow.shutdownNow();
          assertThat(slow.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
        }
        assertThat(admin.zcard("lease:finished")).isZero();
        assertThat(purged.get()).isPositive(); // the engines purged the rest
        assertThat(other.job(submitted.id()).state()).isEqualTo(JobState.RUNNING);

        RELEASE.countDown();
        Job done = other.await(submitted.id(), Duration.ofSeconds(30));
        assertThat(done.state()).isEqualTo(JobState.SUCCEEDED);
        assertThat(done.attempts()).isEqualTo(1);
        assertThat(done.error()).isNull();
        assertThat(done.history())
            .singleElement()
            .satisfies(a -> assertThat(a.outcome()).isEqualTo(JobAttempt.SUCCEEDED));
        assertThat(RUNS.get()).as("runs of the task").isEqualTo(1);
        assertThat(done.lostReservations()).isZero();
      }
    }
  }

  private static Jedis admin(PrivateRedis redis) {
    java.net.URI uri = java.net.URI.create(redis.url());
    return new Jedis(
        new HostAndPort(uri.getHost(), uri.getPort()),
        DefaultJedisClientConfig.builder().socketTimeoutMillis(60_000).build());
  }
}
