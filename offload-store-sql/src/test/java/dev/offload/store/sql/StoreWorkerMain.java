package dev.offload.store.sql;

import dev.offload.Job;
import dev.offload.StoreException;
import dev.offload.spi.ClaimRequest;
import dev.offload.spi.ClaimResult;
import dev.offload.spi.Completion;
import dev.offload.spi.Heartbeat;
import dev.offload.spi.JobStore;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;

/**
 * A store-level worker process for the crash tests: real time, real leases, one job at a time.
 *
 * <ul>
 *   <li>{@code hold URL LEASE_MS}: claims one job, reports its start, prints {@code claimed ID
 *       TOKEN OWNER}, then keeps renewing the lease as a live worker does, never finishing (until
 *       killed).
 *   <li>{@code drain URL LEASE_MS COUNT}: reaps expired leases and claims and completes jobs until
 *       it completed {@code COUNT}; prints {@code completed ID ATTEMPT} for each.
 * </ul>
 */
public final class StoreWorkerMain {
  private StoreWorkerMain() {}

  public static void main(String[] args) throws Exception {
    String mode = args[0];
    String url = args[1];
    Duration lease = Duration.ofMillis(Long.parseLong(args[2]));
    String owner = mode + "-" + ProcessHandle.current().pid();
    try (JobStore store = SqlJobStore.open(url)) {
      System.out.println("ready " + owner);
      System.out.flush();
      if (mode.equals("hold")) {
        hold(store, owner, lease);
      } else {
        drain(store, owner, lease, Integer.parseInt(args[3]));
      }
    }
  }

  private static void hold(JobStore store, String owner, Duration lease) throws Exception {
    Job job = null;
    while (job == null) {
      ClaimResult got = store.claim(request(owner, 1, lease));
      if (got.jobs().isEmpty()) {
        store.awaitWork(Set.of(), got.wakeMark(), Duration.ofMillis(200));
      } else {
        job = got.jobs().getFirst();
      }
    }
    Instant started = Instant.now();
    store.heartbeat(
        List.of(new Heartbeat(job.lease(), null, started)), started.plus(lease), started);
    System.out.println("claimed " + job.id() + " " + job.leaseToken() + " " + job.leaseOwner());
    System.out.flush();
    while (true) {
      Thread.sleep(lease.toMillis() / 4);
      Instant now = Instant.now();
      store.heartbeat(List.of(Heartbeat.of(job.lease())), now.plus(lease), now);
    }
  }

  private static void drain(JobStore store, String owner, Duration lease, int count)
      throws Exception {
    int done = 0;
    while (done < count) {
      try {
        store.reapExpiredLeases(Instant.now(), 100);
        ClaimResult got = store.claim(request(owner, 1, lease));
        if (got.jobs().isEmpty()) {
          store.awaitWork(Set.of(), got.wakeMark(), Duration.ofMillis(100));
          continue;
        }
        Job job = got.jobs().getFirst();
        int attempt = job.nextAttempt();
        String result = "{\"attempt\":" + attempt + ",\"worker\":\"" + owner + "\"}";
        Instant started = Instant.now();
        if (store
            .complete(List.of(Completion.succeeded(job.lease(), started, result)), Instant.now())
            .getFirst()) {
          done++;
          System.out.println("completed " + job.id() + " " + attempt);
          System.out.flush();
        }
      } catch (StoreException e) {
        System.out.println("store error, retrying: " + e.getMessage());
        Thread.sleep(100);
      }
    }
  }

  private static ClaimRequest request(String owner, int max, Duration lease) {
    Instant now = Instant.now();
    return new ClaimRequest(owner, Set.of(), max, now, now.plus(lease));
  }
}
