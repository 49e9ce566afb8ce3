package dev.offload.store.sql;

import static dev.offload.store.sql.Jobs.job;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.offload.Job;
import dev.offload.JobId;
import dev.offload.JobQuery;
import dev.offload.JobState;
import dev.offload.StoreException;
import dev.offload.spi.ClaimRequest;
import dev.offload.spi.ClaimResult;
import dev.offload.spi.Completion;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The PostgreSQL server itself crashes and restarts (a private server, stopped with {@code -m
 * immediate}) while workers drain jobs, with jobs queued and running at that moment. Every job
 * completes, none twice; the store fails fast while the server is down, and idle workers are woken
 * by NOTIFY again once it is back.
 */
@Tag("service")
class PostgresRestartTest {
  private static final Duration LEASE = Duration.ofSeconds(2);
  private static final int JOBS = 400;

  @Test
  void everyQueuedAndRunningJobCompletesAcrossAServerRestart() throws Exception {
    try (PrivatePostgres pg = PrivatePostgres.start();
        SqlJobStore store = SqlJobStore.open(pg.url());
        ExecutorService workers = Executors.newFixedThreadPool(2)) {
      List<Job> jobs = new ArrayList<>();
      for (int i = 0; i < JOBS; i++) {
        jobs.add(job().maxAttempts(5).at(Instant.now()));
      }
      store.enqueueAll(jobs);
      // Jobs claimed by a worker that dies with the server, never started: they come back after
      // their lease, taken over by a claim, with no attempt charged for the lost claim.
      Instant now = Instant.now();
      List<Job> orphans =
          store.claim(new ClaimRequest("lost-worker", Set.of(), 5, now, now.plus(LEASE))).jobs();

      Map<JobId, AtomicInteger> applied = new ConcurrentHashMap<>();
      AtomicInteger storeErrors = new AtomicInteger();
      AtomicBoolean stop = new AtomicBoolean();
      List<Future<?>> loops = new ArrayList<>();
      for (int w = 0; w < 2; w++) {
        String id = "worker-" + w;
        loops.add(workers.submit(() -> drain(store, id, stop, applied, storeErrors)));
      }
      await().atMost(Duration.ofSeconds(60)).until(() -> applied.size() >= JOBS / 4);

      pg.stopImmediately();
      assertThatThrownBy(() -> SqlJobStore.open(pg.url()))
          .isInstanceOf(StoreException.class)
          .hasMessageContaining(pg.url());
      pg.startServer();

      await()
          .atMost(Duration.ofSeconds(90))
          .until(() -> safeCount(store, JobState.SUCCEEDED) == JOBS);
      stop.set(true);
      for (Future<?> f : loops) {
        f.get();
      }

      assertThat(storeErrors.get()).as("the workers felt the restart").isPositive();
      assertThat(applied.values()).allSatisfy(n -> assertThat(n.get()).isLessThanOrEqualTo(1));
      List<Job> all = store.list(JobQuery.all().limit(JobQuery.MAX_LIMIT)).items();
      assertThat(all)
          .hasSize(JOBS)
          .allSatisfy(j -> assertThat(j.state()).isEqualTo(JobState.SUCCEEDED));
      for (Job orphan : orphans) {
        Job done = store.get(orphan.id()).orElseThrow();
        assertThat(done.lostReservations()).isGreaterThanOrEqualTo(1);
        assertThat(done.attempts()).isEqualTo(1);
        assertThat(done.history()).hasSize(1);
      }
      idleWorkersAreWokenAgain(store, pg.url());
    }
  }

  private static void idleWorkersAreWokenAgain(SqlJobStore store, String url) throws Exception {
    try (SqlJobStore other = SqlJobStore.open(url);
        ExecutorService exec = Executors.newSingleThreadExecutor()) {
      // The LISTEN connection reconnects within a second or so of the server's return.
      await()
          .atMost(Duration.ofSeconds(20))
          .untilAsserted(() -> {
            CountDownLatch waiting = new CountDownLatch(1);
            long mark = store.claim(idleClaim()).wakeMark();
            Future<Boolean> woke =
                exec.submit(() -> {
                  waiting.countDown();
                  return store.awaitWork(Set.of(), mark, Duration.ofSeconds(3));
                });
            waiting.await();
            Thread.sleep(100);
            long start = System.nanoTime();
            other.enqueue(job().at(Instant.now()));
            assertThat(woke.get()).isTrue();
            assertThat(Duration.ofNanos(System.nanoTime() - start))
                .isLessThan(Duration.ofSeconds(2));
          });
    }
  }

  /** A claim on a queue nobody uses: finds nothing, and yields a wake mark. */
  private static ClaimRequest idleClaim() {
    Instant now = Instant.now();
    return new ClaimRequest("idle", Set.of("idle"), 1, now, now.plus(LEASE));
  }

  private static Void drain(
      SqlJobStore store,
      String id,
      AtomicBoolean stop,
      Map<JobId, AtomicInteger> applied,
      AtomicInteger storeErrors)
      throws InterruptedException {
    while (!stop.get()) {
      try {
        Instant now = Instant.now();
        store.reapExpiredLeases(now, 100);
        ClaimResult claimed = store.claim(new ClaimRequest(id, Set.of(), 10, now, now.plus(LEASE)));
        List<Job> got = claimed.jobs();
        if (got.isEmpty()) {
          store.awaitWork(Set.of(), claimed.wakeMark(), Duration.ofMillis(200));
          continue;
        }
        Instant started = Instant.now();
        Thread.sleep(20); // the work
        List<Completion> done = new ArrayList<>();
        for (Job j : got) {
          done.add(Completion.succeeded(j.lease(), started, "{\"by\":\"" + id + "\"}"));
        }
        List<Boolean> ok = store.complete(done, Instant.now());
        for (int k = 0; k < got.size(); k++) {
          if (ok.get(k)) {
            applied.computeIfAbsent(got.get(k).id(), x -> new AtomicInteger()).incrementAndGet();
          }
        }
      } catch (StoreException e) {
        // The server is down: these jobs' leases lapse and they are reaped and run again.
        storeErrors.incrementAndGet();
        Thread.sleep(100);
      }
    }
    return null;
  }

  private static long safeCount(SqlJobStore store, JobState state) {
    try {
      return store.counts().total(state);
    } catch (StoreException e) {
      return -1;
    }
  }
}
