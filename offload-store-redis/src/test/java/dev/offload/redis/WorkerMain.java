package dev.offload.redis;

import dev.offload.Job;
import dev.offload.JobState;
import dev.offload.JobStores;
import dev.offload.spi.ClaimRequest;
import dev.offload.spi.ClaimResult;
import dev.offload.spi.Completion;
import dev.offload.spi.Heartbeat;
import dev.offload.spi.JobStore;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * One worker process of {@link RedisClusterTest}: claims no-op jobs in batches and completes them
 * with its name and the lease token as the result, reaping expired leases as it goes. Every {@code
 * zombieEvery}-th first claim it plays a zombie instead: it keeps the job past its lease (every
 * other zombie after reporting its start, so that the job is reaped; the others never start it, so
 * that another claim takes the lapsed reservation over), waits until another worker has claimed it
 * again, then tries to complete it anyway. Each line it writes to {@code out}: {@code
 * applied|rejected|zombie-applied|zombie-rejected <id> <token>}.
 *
 * <p>Arguments: store URL, worker id, output file, stop file, zombieEvery, lease millis.
 */
public final class WorkerMain {
  private WorkerMain() {}

  public static void main(String[] args) throws Exception {
    String url = args[0];
    String id = args[1];
    Path out = Path.of(args[2]);
    Path stop = Path.of(args[3]);
    int zombieEvery = Integer.parseInt(args[4]);
    Duration lease = Duration.ofMillis(Long.parseLong(args[5]));
    try (JobStore store = JobStores.open(url);
        PrintWriter log =
            new PrintWriter(Files.newBufferedWriter(out, StandardCharsets.UTF_8), false);
        ExecutorService zombies = Executors.newVirtualThreadPerTaskExecutor()) {
      long claimed = 0;
      Instant lastReap = Instant.EPOCH;
      while (!Files.exists(stop)) {
        Instant now = Instant.now();
        if (Duration.between(lastReap, now).toMillis() >= 100) {
          store.reapExpiredLeases(now, 500);
          lastReap = now;
        }
        ClaimResult result = store.claim(new ClaimRequest(id, Set.of(), 50, now, now.plus(lease)));
        List<Job> jobs = result.jobs();
        if (jobs.isEmpty()) {
          store.awaitWork(Set.of(), result.wakeMark(), Duration.ofMillis(100));
          continue;
        }
        List<Completion> done = new ArrayList<>(jobs.size());
        for (Job job : jobs) {
          if (zombieEvery > 0 && ++claimed % zombieEvery == 0 && job.leaseToken() == 1) {
            boolean start = claimed / zombieEvery % 2 == 0;
            zombies.submit(() -> zombie(store, job, start, lease, log));
          } else {
            done.add(
                Completion.succeeded(
                    job.lease(), Instant.now(), "\"" + id + ":" + job.leaseToken() + "\""));
          }
        }
        List<Boolean> applied = store.complete(done, Instant.now());
        synchronized (log) {
          for (int i = 0; i < done.size(); i++) {
            Completion c = done.get(i);
            log.println(
                (applied.get(i) ? "applied " : "rejected ")
                    + c.lease().jobId()
                    + " "
                    + c.lease().token());
          }
          log.flush();
        }
      }
      zombies.shutdownNow();
    }
  }

  private static Void zombie(
      JobStore store, Job job, boolean start, Duration lease, PrintWriter log) throws IOException {
    if (start) {
      Instant now = Instant.now();
      store.heartbeat(List.of(new Heartbeat(job.lease(), null, now)), now.plus(lease), now);
    }
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (System.nanoTime() < deadline) {
      Job now = store.get(job.id()).orElseThrow();
      if (now.leaseToken() > job.leaseToken() || now.state() == JobState.SUCCEEDED) {
        break;
      }
      try {
        Thread.sleep(20); // a zombie is slow on purpose
      } catch (InterruptedException e) {
        return null;
      }
    }
    boolean applied =
        store
            .complete(
                List.of(Completion.succeeded(job.lease(), Instant.now(), "\"zombie\"")),
                Instant.now())
            .get(0);
    synchronized (log) {
      log.println(
          (applied ? "zombie-applied " : "zombie-rejected ") + job.id() + " " + job.leaseToken());
      log.flush();
    }
    return null;
  }
}
