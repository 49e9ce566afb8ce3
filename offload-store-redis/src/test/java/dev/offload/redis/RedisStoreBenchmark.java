package dev.offload.redis;

import static dev.offload.redis.RedisTestSupport.job;

import dev.offload.Job;
import dev.offload.JobSpec;
import dev.offload.JobState;
import dev.offload.JobStores;
import dev.offload.Offload;
import dev.offload.Task;
import dev.offload.TaskRegistry;
import dev.offload.demo.DemoTasks;
import dev.offload.spi.ClaimRequest;
import dev.offload.spi.ClaimResult;
import dev.offload.spi.Completion;
import dev.offload.spi.JobStore;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * The Redis store's figures for BENCHMARKS.md, run on demand only:
 *
 * <pre>
 * mvn -pl offload-store-redis -am verify -Doffload.bench=true -Dtest=RedisStoreBenchmark \
 *     -Dsurefire.failIfNoSpecifiedTests=false -Djacoco.skip=true
 * </pre>
 *
 * <p>Store level: bulk enqueue, then a drain by claim/complete threads in batches (no-op jobs);
 * idle enqueue-to-claim latency with producer and worker on separate store instances, so every
 * wake-up crosses Redis pub/sub as it would between processes. Engine level: {@link Offload} with
 * the Redis store draining no-op and {@code spin} jobs. Each figure is the median of the rounds.
 * Sizes: {@code -Dbench.jobs} (default 50000), {@code -Dbench.spinJobs} (default 20000).
 */
@Tag("benchmark")
@EnabledIfSystemProperty(named = "offload.bench", matches = "true")
class RedisStoreBenchmark {
  private static final int JOBS = Integer.getInteger("bench.jobs", 50_000);
  private static final int SPIN_JOBS = Integer.getInteger("bench.spinJobs", 20_000);
  private static final int ROUNDS = Integer.getInteger("bench.rounds", 3);

  @Test
  void storeBulkEnqueueAndDrain() throws Exception {
    RedisTestSupport.requireRedis();
    double[] enqueue = new double[ROUNDS];
    double[] drain = new double[ROUNDS];
    double[] total = new double[ROUNDS];
    for (int r = 0; r < ROUNDS; r++) {
      String prefix = RedisTestSupport.uniquePrefix();
      try (JobStore store = JobStores.open(RedisTestSupport.url("prefix=" + prefix))) {
        Instant now = Instant.now();
        List<Job> jobs = new ArrayList<>(JOBS);
        for (int i = 0; i < JOBS; i++) {
          jobs.add(job("bench", now));
        }
        long t0 = System.nanoTime();
        for (int i = 0; i < JOBS; i += 1000) {
          store.enqueueAll(jobs.subList(i, Math.min(JOBS, i + 1000)));
        }
        long t1 = System.nanoTime();
        AtomicInteger done = new AtomicInteger();
        List<Thread> threads = new ArrayList<>();
        for (int w = 0; w < 2; w++) {
          String id = "bench-" + w;
          threads.add(
              Thread.ofPlatform()
                  .start(() -> {
                    while (true) {
                      Instant at = Instant.now();
                      List<Job> batch =
                          store
                              .claim(new ClaimRequest(id, Set.of(), 200, at, at.plusSeconds(30)))
                              .jobs();
                      if (batch.isEmpty()) {
                        return;
                      }
                      List<Completion> c = new ArrayList<>(batch.size());
                      for (Job j : batch) {
                        c.add(Completion.succeeded(j.lease(), at, "null"));
                      }
                      store.complete(c, Instant.now());
                      done.addAndGet(batch.size());
                    }
                  }));
        }
        for (Thread t : threads) {
          t.join();
        }
        long t2 = System.nanoTime();
        if (done.get() != JOBS || store.counts().total(JobState.SUCCEEDED) != JOBS) {
          throw new AssertionError("drained " + done.get() + " of " + JOBS);
        }
        enqueue[r] = JOBS / seconds(t1 - t0);
        drain[r] = JOBS / seconds(t2 - t1);
        total[r] = JOBS / seconds(t2 - t0);
        report(
            "round %d: enqueue %.0f jobs/s, drain %.0f jobs/s, enqueue+drain %.0f jobs/s",
            r + 1, enqueue[r], drain[r], total[r]);
      } finally {
        RedisTestSupport.deleteKeys(prefix);
      }
    }
    report(
        "store, %d no-op jobs, median of %d: bulk enqueue %.0f jobs/s; drain (2 threads,"
            + " claim 200 + complete) %.0f jobs/s; enqueue+drain %.0f jobs/s",
        JOBS, ROUNDS, median(enqueue), median(drain), median(total));
  }

  @Test
  void storeIdleEnqueueToClaimLatency() throws Exception {
    RedisTestSupport.requireRedis();
    String prefix = RedisTestSupport.uniquePrefix();
    int samples = 1000;
    long[] nanos = new long[samples];
    try (JobStore producer = JobStores.open(RedisTestSupport.url("prefix=" + prefix));
        JobStore worker = JobStores.open(RedisTestSupport.url("prefix=" + prefix))) {
      BlockingQueue<Long> claimedAt = new ArrayBlockingQueue<>(1);
      Thread loop =
          Thread.ofPlatform()
              .start(() -> {
                try {
                  while (!Thread.currentThread().isInterrupted()) {
                    Instant at = Instant.now();
                    ClaimResult result =
                        worker.claim(new ClaimRequest("w", Set.of(), 1, at, at.plusSeconds(30)));
                    List<Job> got = result.jobs();
                    if (got.isEmpty()) {
                      worker.awaitWork(Set.of(), result.wakeMark(), Duration.ofSeconds(5));
                      continue;
                    }
                    long t = System.nanoTime();
                    worker.complete(
                        List.of(Completion.succeeded(got.get(0).lease(), at, "null")),
                        Instant.now());
                    claimedAt.put(t);
                  }
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                } catch (RuntimeException closed) {
                  // the stores close at the end of the test
                }
              });
      for (int i = -100; i < samples; i++) {
        Thread.sleep(2); // idle between jobs: the worker is parked in awaitWork again
        long t0 = System.nanoTime();
        producer.enqueue(job("lat", Instant.now()));
        long t1 = claimedAt.poll(10, TimeUnit.SECONDS);
        if (i >= 0) {
          nanos[i] = t1 - t0;
        }
      }
      loop.interrupt();
    } finally {
      RedisTestSupport.deleteKeys(prefix);
    }
    Arrays.sort(nanos);
    report(
        "store, idle enqueue-to-claim latency over %d jobs (producer and worker on separate"
            + " connections, wake-up by pub/sub): p50 %.2f ms, p90 %.2f ms, p99 %.2f ms",
        samples,
        nanos[samples / 2] / 1e6,
        nanos[samples * 9 / 10] / 1e6,
        nanos[samples * 99 / 100] / 1e6);
  }

  public record Started(long sent) {}

  private static final BlockingQueue<Long> STARTED = new ArrayBlockingQueue<>(16);

  /** Reports the moment an attempt starts, for the enqueue-to-start latency. */
  static final Task<Started, Integer> STAMP =
      Task.of(
          "bench.stamp",
          Started.class,
          Integer.class,
          (in, ctx) -> {
            STARTED.add(System.nanoTime() - in.sent());
            return 0;
          });

  @Test
  void engineIdleEnqueueToStartLatency() throws Exception {
    RedisTestSupport.requireRedis();
    String prefix = RedisTestSupport.uniquePrefix();
    String url = RedisTestSupport.url("prefix=" + prefix);
    int samples = 500;
    long[] nanos = new long[samples];
    // A worker instance and an API-only instance, each with its own store connections: the
    // wake-up crosses Redis pub/sub as between two processes.
    try (Offload worker = Offload.builder().tasks(TaskRegistry.of(STAMP)).storeUrl(url).build();
        Offload api =
            Offload.builder().tasks(TaskRegistry.of(STAMP)).storeUrl(url).workers(false).build()) {
      for (int i = -50; i < samples; i++) {
        Thread.sleep(5); // idle: the worker is back in awaitWork
        api.submit(JobSpec.of("bench.stamp", new Started(System.nanoTime())));
        long took = STARTED.poll(10, TimeUnit.SECONDS);
        if (i >= 0) {
          nanos[i] = took;
        }
      }
      if (worker.counts().total(JobState.SUCCEEDED) < samples) {
        throw new AssertionError("not every job succeeded");
      }
    } finally {
      RedisTestSupport.deleteKeys(prefix);
    }
    Arrays.sort(nanos);
    report(
        "engine, idle submit-to-start latency over %d jobs (API and worker instances on separate"
            + " connections): p50 %.2f ms, p90 %.2f ms, p99 %.2f ms",
        samples,
        nanos[samples / 2] / 1e6,
        nanos[samples * 9 / 10] / 1e6,
        nanos[samples * 99 / 100] / 1e6);
  }

  @Test
  void engineDrains() throws Exception {
    RedisTestSupport.requireRedis();
    int cores = Runtime.getRuntime().availableProcessors();
    engineDrain("spin ms=0", JOBS, 0, cores);
    engineDrain("spin ms=0", JOBS, 0, 64);
    engineDrain("spin ms=0", SPIN_JOBS, 0, cores);
  }

  /** CPU-bound: {@code SPIN_JOBS} x 20 ms of CPU, at least 200 s on 2 cores. */
  @Test
  void engineDrainsSpin20() throws Exception {
    RedisTestSupport.requireRedis();
    engineDrain("spin ms=20", SPIN_JOBS, 20, Runtime.getRuntime().availableProcessors());
  }

  /** {@code concurrency}: jobs a worker holds at once; the default is the pool's threads. */
  private void engineDrain(String what, int count, long ms, int concurrency) throws Exception {
    String prefix = RedisTestSupport.uniquePrefix();
    try (Offload offload =
        Offload.builder()
            .tasks(DemoTasks.registry())
            .store(JobStores.open(RedisTestSupport.url("prefix=" + prefix)))
            .workerConcurrency(concurrency)
            .build()) {
      List<JobSpec> specs = new ArrayList<>(count);
      for (int i = 0; i < count; i++) {
        specs.add(JobSpec.of("spin", new DemoTasks.SpinInput(ms)));
      }
      long t0 = System.nanoTime();
      for (int i = 0; i < count; i += 1000) {
        offload.submitAll(specs.subList(i, Math.min(count, i + 1000)));
      }
      long t1 = System.nanoTime();
      while (offload.counts().total(JobState.SUCCEEDED) < count) {
        Thread.sleep(20);
      }
      long t2 = System.nanoTime();
      report(
          "engine, %d %s jobs, %d cores, workerConcurrency %d: submit %.0f jobs/s;"
              + " submit+drain %.1f s = %.0f jobs/s",
          count,
          what,
          Runtime.getRuntime().availableProcessors(),
          concurrency,
          count / seconds(t1 - t0),
          seconds(t2 - t0),
          count / seconds(t2 - t0));
    } finally {
      RedisTestSupport.deleteKeys(prefix);
    }
  }

  private static double seconds(long nanos) {
    return nanos / 1e9;
  }

  private static double median(double[] values) {
    double[] v = values.clone();
    Arrays.sort(v);
    return v[v.length / 2];
  }

  private static void report(String format, Object... args) {
    System.out.println("[redis-bench] " + String.format(Locale.ROOT, format, args));
  }
}
