package dev.offload.store.sql.bench;

import dev.offload.Backoff;
import dev.offload.Job;
import dev.offload.JobId;
import dev.offload.JobState;
import dev.offload.spi.ClaimRequest;
import dev.offload.spi.ClaimResult;
import dev.offload.spi.Completion;
import dev.offload.store.sql.SqlJobStore;
import dev.offload.store.sql.internal.JobRows;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Store-level benchmark of the SQL store: bulk enqueue, claim/complete drain, and idle
 * enqueue-to-claim latency, batched and single-job, on an empty table and beside 1,000,000 finished
 * jobs. A plain main (not JMH): each figure is one timed run of many jobs; run it a few times and
 * take the median, the machine is shared.
 *
 * <pre>
 * offload-store-sql/bench.sh sqlite:/tmp/bench.db [jobs] [finished jobs to add first]
 * offload-store-sql/bench.sh 'postgresql://postgres@127.0.0.1/test?currentSchema=bench' 50000 1000000
 * </pre>
 */
public final class SqlStoreBench {
  private static final Duration LEASE = Duration.ofSeconds(60);

  public static void main(String[] args) throws Exception {
    String url = args[0];
    int jobs = args.length > 1 ? Integer.parseInt(args[1]) : 50_000;
    int history = args.length > 2 ? Integer.parseInt(args[2]) : 0;
    int workers = Integer.getInteger("workers", 2);
    int batch = Integer.getInteger("batch", 500);
    if (url.startsWith("sqlite:")) {
      Path file = Path.of(url.substring("sqlite:".length()));
      for (String suffix : List.of("", "-wal", "-shm")) {
        Files.deleteIfExists(Path.of(file + suffix));
      }
    }
    try (SqlJobStore store = SqlJobStore.open(url)) {
      wipe(store, url);
      if (history > 0) {
        long t = System.nanoTime();
        fillHistory(url, history);
        System.out.printf("history: %,d finished jobs inserted in %.1f s%n", history, secs(t));
      }
      System.out.printf(
          "store %s, %,d jobs, %d workers, batch %d%n", store.url(), jobs, workers, batch);
      bulk(store, jobs, workers, batch);
      endToEnd(store, jobs, workers, batch);
      endToEnd(store, Math.max(2_000, jobs / 10), workers, 1);
      latency(store, store, 300, "same instance");
      try (SqlJobStore other = SqlJobStore.open(url)) {
        latency(other, store, 300, "other instance (as another process)");
      }
    }
  }

  /** Enqueue everything, then drain with claim + complete: the two phases timed apart. */
  static void bulk(SqlJobStore store, int n, int workers, int batch) throws Exception {
    List<Job> all = newJobs(n);
    long t = System.nanoTime();
    for (int i = 0; i < n; i += batch) {
      store.enqueueAll(all.subList(i, Math.min(n, i + batch)));
    }
    double enqueue = secs(t);
    t = System.nanoTime();
    long done = drain(store, workers, batch, n);
    double drain = secs(t);
    System.out.printf(
        "bulk batch=%d: enqueue %,.0f jobs/s; drain (claim+complete) %,.0f jobs/s; both %,.0f jobs/s%n",
        batch, n / enqueue, done / drain, n / (enqueue + drain));
  }

  /**
   * A producer enqueues while workers drain at the same time; jobs/s from first submit to last
   * completion.
   */
  static void endToEnd(SqlJobStore store, int n, int workers, int batch) throws Exception {
    List<Job> all = newJobs(n);
    long t = System.nanoTime();
    long cpu = cpuNanos();
    try (ExecutorService producer = Executors.newSingleThreadExecutor()) {
      Future<?> p =
          producer.submit(() -> {
            for (int i = 0; i < n; i += batch) {
              if (batch == 1) {
                store.enqueue(all.get(i));
              } else {
                store.enqueueAll(all.subList(i, Math.min(n, i + batch)));
              }
            }
            return null;
          });
      long done = drain(store, workers, batch, n);
      p.get();
      System.out.printf(
          "end-to-end %s: %,d jobs in %.2f s = %,.0f jobs/s%n",
          batch == 1 ? "single-job (enqueue 1, claim 1, complete 1)" : "batch=" + batch,
          done,
          secs(t),
          done / secs(t));
    }
  }

  static long drain(SqlJobStore store, int workers, int batch, int expected) throws Exception {
    AtomicLong completed = new AtomicLong();
    try (ExecutorService pool = Executors.newFixedThreadPool(workers)) {
      List<Future<?>> fs = new ArrayList<>();
      for (int w = 0; w < workers; w++) {
        String id = "bench-" + w;
        fs.add(
            pool.submit(() -> {
              while (completed.get() < expected) {
                Instant now = Instant.now();
                ClaimResult claimed =
                    store.claim(new ClaimRequest(id, Set.of(), batch, now, now.plus(LEASE)));
                List<Job> got = claimed.jobs();
                if (got.isEmpty()) {
                  store.awaitWork(Set.of(), claimed.wakeMark(), Duration.ofMillis(20));
                  continue;
                }
                List<Completion> cs = new ArrayList<>(got.size());
                Instant started = Instant.now();
                for (Job j : got) {
                  cs.add(Completion.succeeded(j.lease(), started, "null"));
                }
                store.complete(cs, Instant.now());
                completed.addAndGet(got.size());
              }
              return null;
            }));
      }
      for (Future<?> f : fs) {
        f.get();
      }
    }
    return completed.get();
  }

  /** One job at a time into an idle store; time from before enqueue to the worker's claim. */
  static void latency(SqlJobStore producer, SqlJobStore worker, int samples, String label)
      throws Exception {
    long[] nanos = new long[samples];
    long[] commits = new long[samples];
    AtomicLong submittedAt = new AtomicLong();
    try (ExecutorService exec = Executors.newSingleThreadExecutor()) {
      Future<?> loop =
          exec.submit(() -> {
            int got = 0;
            while (got < samples) {
              Instant now = Instant.now();
              ClaimResult claimed =
                  worker.claim(new ClaimRequest("lat", Set.of(), 10, now, now.plus(LEASE)));
              List<Job> jobs = claimed.jobs();
              if (jobs.isEmpty()) {
                worker.awaitWork(Set.of(), claimed.wakeMark(), Duration.ofSeconds(1));
                continue;
              }
              long end = System.nanoTime();
              for (Job j : jobs) {
                nanos[got++] = end - submittedAt.get();
                worker.complete(
                    List.of(Completion.succeeded(j.lease(), Instant.now(), "null")), Instant.now());
              }
              synchronized (submittedAt) {
                submittedAt.notifyAll();
              }
            }
            return null;
          });
      Thread.sleep(200);
      for (int i = 0; i < samples; i++) {
        synchronized (submittedAt) {
          submittedAt.set(System.nanoTime());
          producer.enqueue(newJobs(1).getFirst());
          commits[i] = System.nanoTime() - submittedAt.get();
          submittedAt.wait(2_000);
        }
        Thread.sleep(5); // idle between jobs: the worker is back in awaitWork
      }
      loop.get();
    }
    Arrays.sort(nanos);
    Arrays.sort(commits);
    System.out.printf(
        "latency enqueue->claim, idle, %s: p50 %.2f ms, p99 %.2f ms, max %.2f ms (%d samples;"
            + " the enqueue call itself: p50 %.2f ms, p99 %.2f ms)%n",
        label,
        nanos[samples / 2] / 1e6,
        nanos[samples * 99 / 100] / 1e6,
        nanos[samples - 1] / 1e6,
        samples,
        commits[samples / 2] / 1e6,
        commits[samples * 99 / 100] / 1e6);
  }

  static List<Job> newJobs(int n) {
    Instant now = Instant.now();
    List<Job> jobs = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      jobs.add(
          Job.submitted(
              JobId.newId(now),
              "noop",
              "default",
              JobState.QUEUED,
              0,
              "{}",
              3,
              Backoff.DEFAULT,
              null,
              null,
              now,
              now));
    }
    return jobs;
  }

  /** Bulk-inserts finished jobs with plain SQL (fast), as history the claims must not see. */
  static void fillHistory(String url, int n) throws Exception {
    boolean pg = !url.startsWith("sqlite:");
    try (Connection c = connect(url)) {
      c.setAutoCommit(false);
      long nowNs = System.currentTimeMillis() * 1_000_000L;
      if (pg) {
        try (PreparedStatement ps =
            c.prepareStatement(
                "INSERT INTO offload_jobs ("
                    + JobRows.COLUMNS
                    + ") SELECT gen_random_uuid(), 'noop', 'default', 'succeeded', 0,"
                    + " '{}', 'null', NULL, NULL, NULL, NULL, NULL, 1, 3, 1000000000, 300000000000,"
                    + " NULL, NULL, ?, ?, ?, ?, NULL, NULL, 1, 0, NULL FROM generate_series(1, ?)")) {
          ps.setLong(1, nowNs);
          ps.setLong(2, nowNs);
          ps.setLong(3, nowNs);
          ps.setLong(4, nowNs);
          ps.setInt(5, n);
          ps.executeUpdate();
        }
      } else {
        try (PreparedStatement ps =
            c.prepareStatement(
                "INSERT INTO offload_jobs ("
                    + JobRows.COLUMNS
                    + ") VALUES (?, 'noop', 'default', 'succeeded', 0, '{}', 'null',"
                    + " NULL, NULL, NULL, NULL, NULL, 1, 3, 1000000000, 300000000000, NULL, NULL,"
                    + " ?, ?, ?, ?, NULL, NULL, 1, 0, NULL)")) {
          Instant old = Instant.now().minusSeconds(3600);
          for (int i = 0; i < n; i++) {
            ps.setString(1, JobId.newId(old).toString());
            ps.setLong(2, nowNs);
            ps.setLong(3, nowNs);
            ps.setLong(4, nowNs);
            ps.setLong(5, nowNs);
            ps.addBatch();
            if (i % 10_000 == 9_999) {
              ps.executeBatch();
            }
          }
          ps.executeBatch();
        }
      }
      c.commit();
      if (pg) {
        c.setAutoCommit(true);
        try (var s = c.createStatement()) {
          s.execute("VACUUM ANALYZE offload_jobs");
        }
      }
    }
  }

  static void wipe(SqlJobStore store, String url) throws Exception {
    try (Connection c = connect(url);
        var s = c.createStatement()) {
      s.execute("DELETE FROM offload_jobs");
    }
  }

  static Connection connect(String url) throws Exception {
    if (url.startsWith("sqlite:")) {
      return java.sql.DriverManager.getConnection("jdbc:" + url);
    }
    var parsed = dev.offload.store.sql.internal.StoreUrl.parse(url);
    var props = new java.util.Properties();
    if (parsed.user() != null) {
      props.setProperty("user", parsed.user());
    }
    if (parsed.password() != null) {
      props.setProperty("password", parsed.password());
    }
    return java.sql.DriverManager.getConnection(parsed.jdbcUrl(), props);
  }

  private static long cpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean)
            java.lang.management.ManagementFactory.getOperatingSystemMXBean())
        .getProcessCpuTime();
  }

  private static double secs(long start) {
    return (System.nanoTime() - start) / 1e9;
  }
}
