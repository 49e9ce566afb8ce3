package dev.offload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.offload.spi.Completion;
import dev.offload.spi.Heartbeat;
import dev.offload.spi.JobStore;
import dev.offload.spi.TaskExecutor;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The worker's lease discipline (issue 11): renewal that housekeeping cannot starve, no store write
 * that stalls submits, an engine that fails to start leaks nothing, and the builder refuses what it
 * would silently ignore.
 */
class WorkerLeaseTest {
  record Ms(int ms) {}

  static final AtomicInteger runs = new AtomicInteger();
  static final Set<JobId> ran = java.util.concurrent.ConcurrentHashMap.newKeySet();

  /** Spins for {@code ms} unless stopped; counts every run of its task code. */
  static final Task<Ms, Integer> SPIN =
      Task.of(
          "spin",
          Ms.class,
          Integer.class,
          (in, ctx) -> {
            runs.incrementAndGet();
            ran.add(ctx.jobId());
            long until = System.nanoTime() + in.ms() * 1_000_000L;
            while (System.nanoTime() < until && !ctx.isCancelled()) {
              Thread.onSpinWait();
            }
            return in.ms();
          });

  private final List<AutoCloseable> toClose = new ArrayList<>();

  @AfterEach
  void closeAll() throws Exception {
    for (AutoCloseable c : toClose.reversed()) {
      c.close();
    }
  }

  private <T extends AutoCloseable> T closing(T c) {
    toClose.add(c);
    return c;
  }

  @Test
  void renewalKeepsALongJobAliveWhileThisInstancesPurgeHangs() {
    runs.set(0);
    JobStore shared = JobStores.inMemory();
    CountDownLatch purgeMayEnd = new CountDownLatch(1);
    AtomicBoolean purgeStarted = new AtomicBoolean();
    JobStore slowHousekeeping =
        new ForwardingStore(shared) {
          @Override
          public int purge(Instant finishedBefore, int limit) {
            purgeStarted.set(true);
            try {
              purgeMayEnd.await(4, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
            return super.purge(finishedBefore, limit);
          }

          @Override
          public void close() {
            // The reaping instance below owns the shared store.
          }
        };
    // Another instance on the same store reaps lapsed leases every 250 ms.
    Offload reaper =
        closing(
            Offload.builder()
                .tasks(TaskRegistry.of(SPIN))
                .store(shared)
                .workers(false)
                .leaseDuration(Duration.ofMillis(500))
                .pollInterval(Duration.ofMillis(100))
                .build());
    Offload worker =
        closing(
            Offload.builder()
                .tasks(TaskRegistry.of(SPIN))
                .store(slowHousekeeping)
                .leaseDuration(Duration.ofMillis(500))
                .pollInterval(Duration.ofMillis(100))
                .resultRetention(Duration.ofSeconds(1))
                .build());

    Job job = worker.submit(JobSpec.of("spin", new Ms(3_000)).maxAttempts(3));
    await().atMost(Duration.ofSeconds(5)).untilTrue(purgeStarted);
    Job done = awaitEnd(reaper, job.id());
    purgeMayEnd.countDown();

    assertThat(done.state()).isEqualTo(JobState.SUCCEEDED);
    assertThat(done.attempts()).as("the lease never lapsed").isEqualTo(1);
    assertThat(done.history()).hasSize(1);
    assertThat(runs.get()).as("the task code ran once").isEqualTo(1);
  }

  @Test
  void aStoreWriteThatHangsDoesNotStallSubmitsOrDispatchOnAnotherQueue() throws Exception {
    CountDownLatch writing = new CountDownLatch(1);
    CountDownLatch writeMayEnd = new CountDownLatch(1);
    JobStore slowCompletions =
        new ForwardingStore(JobStores.inMemory()) {
          @Override
          public List<Boolean> complete(List<Completion> completions, Instant now) {
            writing.countDown();
            try {
              writeMayEnd.await(20, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
            return super.complete(completions, now);
          }
        };
    Offload offload =
        closing(
            Offload.builder()
                .tasks(TaskRegistry.of(SPIN))
                .store(slowCompletions)
                .threads(2)
                .pollInterval(Duration.ofMillis(50))
                .shutdownGrace(Duration.ofSeconds(1))
                .build());
    List<JobEvent> events = new CopyOnWriteArrayList<>();
    closing(offload.subscribe(events::add));
    Job first = offload.submit(JobSpec.of("spin", new Ms(0)).queue("a"));
    assertThat(writing.await(10, TimeUnit.SECONDS)).as("the completion write began").isTrue();

    List<Job> more = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      long start = System.nanoTime();
      more.add(offload.submit(JobSpec.of("spin", new Ms(0)).queue("b")));
      assertThat(Duration.ofNanos(System.nanoTime() - start))
          .as("a submit while a completion write hangs")
          .isLessThan(Duration.ofSeconds(1));
    }
    Set<JobId> started =
        more.stream().map(Job::id).collect(Collectors.toCollection(java.util.HashSet::new));
    await()
        .atMost(Duration.ofSeconds(5))
        .until(() ->
            events.stream()
                .filter(e -> e.state() == JobState.RUNNING)
                .map(JobEvent::id)
                .collect(Collectors.toSet())
                .containsAll(started));

    writeMayEnd.countDown();
    assertThat(awaitEnd(offload, first.id()).state()).isEqualTo(JobState.SUCCEEDED);
    for (Job job : more) {
      assertThat(awaitEnd(offload, job.id()).state()).isEqualTo(JobState.SUCCEEDED);
    }
  }

  @Test
  void aPrefetchedJobWhoseLeaseLapsedWhileItWaitedIsNotRunWhenTakenOver() {
    runs.set(0);
    JobStore shared = JobStores.inMemory();
    AtomicBoolean beatsFail = new AtomicBoolean();
    JobStore flaky =
        new ForwardingStore(shared) {
          @Override
          public Set<Lease> heartbeat(List<Heartbeat> beats, Instant until, Instant now) {
            if (beatsFail.get()) {
              throw new StoreException("heartbeats are down");
            }
            return super.heartbeat(beats, until, now);
          }
        };
    Offload worker =
        closing(
            Offload.builder()
                .tasks(TaskRegistry.of(SPIN))
                .store(flaky)
                .threads(1)
                .workerConcurrency(1)
                .leaseDuration(Duration.ofMillis(600))
                .pollInterval(Duration.ofMillis(50))
                .shutdownGrace(Duration.ofMillis(200))
                .build());
    // Short jobs first: only once jobs are known to be short does the worker prefetch.
    awaitEnd(worker, worker.submit(JobSpec.of("spin", new Ms(0))).id());
    List<JobSpec> specs = new ArrayList<>();
    specs.add(JobSpec.of("spin", new Ms(1_500)));
    for (int i = 0; i < 5; i++) {
      specs.add(JobSpec.of("spin", new Ms(0)));
    }
    // One submit, so one claim takes them all: the long one runs, the rest wait prefetched.
    List<Job> jobs = worker.submitAll(specs);
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() ->
            jobs.stream().allMatch(j -> shared.get(j.id()).orElseThrow().leaseOwner() != null));
    // The worker can no longer renew: its leases lapse and another worker takes the jobs over.
    beatsFail.set(true);
    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> {
          Instant now = Instant.now();
          return shared
                  .claim(
                      new dev.offload.spi.ClaimRequest(
                          "thief", Set.of(), 10, now, now.plusSeconds(60)))
                  .jobs()
                  .size()
              >= 5;
        });

    // The long job ends while the worker has still not renewed (as after a SIGSTOP): the
    // prefetched jobs are checked with the store before they would run, and are not run.
    await()
        .during(Duration.ofSeconds(3))
        .atMost(Duration.ofSeconds(6))
        .until(() -> jobs.subList(1, jobs.size()).stream().noneMatch(j -> ran.contains(j.id())));
    for (Job job : jobs.subList(1, jobs.size())) {
      assertThat(shared.get(job.id()).orElseThrow().leaseOwner()).isEqualTo("thief");
    }
  }

  @Test
  void anEngineThatFailsToStartClosesItsStoreAndLeavesNoThreads() {
    Set<Long> before = offloadThreads();
    AtomicBoolean closed = new AtomicBoolean();
    JobStore broken =
        new ForwardingStore(JobStores.inMemory()) {
          @Override
          public AutoCloseable subscribe(Consumer<JobEvent> listener) {
            throw new IllegalStateException("subscriptions are down");
          }

          @Override
          public void close() {
            closed.set(true);
            super.close();
          }
        };

    assertThatThrownBy(() -> Offload.builder().tasks(TaskRegistry.of(SPIN)).store(broken).build())
        .hasMessageContaining("subscriptions are down");

    assertThat(closed).isTrue();
    await()
        .atMost(Duration.ofSeconds(5))
        .untilAsserted(() -> assertThat(offloadThreads()).isSubsetOf(before));
  }

  @Test
  void theBuilderRefusesAnExecutorForATaskItDoesNotKnow() {
    TaskExecutor executor = new InlineExecutor();
    assertThatThrownBy(() ->
            Offload.builder().tasks(TaskRegistry.of(SPIN)).executor("spinn", executor).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("spinn")
        .hasMessageContaining("[spin]");
  }

  @Test
  void theBuilderRefusesPoolSizesItWouldIgnoreBesideACustomExecutor() {
    assertThatThrownBy(() -> Offload.builder().threads(4).executor(new InlineExecutor()).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("threads and queueCapacity");
    assertThatThrownBy(
            () -> Offload.builder().queueCapacity(10).executor(new InlineExecutor()).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("threads and queueCapacity");
  }

  private static Job awaitEnd(Offload offload, JobId id) {
    await().atMost(Duration.ofSeconds(20)).until(() -> offload.job(id).state().isTerminal());
    return offload.job(id);
  }

  /** Ids of live threads the engine names (dispatcher, lease, supervisor, timer, pool...). */
  private static Set<Long> offloadThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.isAlive() && t.getName().startsWith("offload-"))
        .map(Thread::threadId)
        .collect(Collectors.toSet());
  }

  /** Runs tasks on the caller's thread; enough for builder checks. */
  private static final class InlineExecutor implements TaskExecutor {
    @Override
    public <I, O> CompletableFuture<O> execute(
        Task<I, O> task, I input, dev.offload.TaskContext ctx) {
      try {
        return CompletableFuture.completedFuture(task.run(input, ctx));
      } catch (Exception e) {
        return CompletableFuture.failedFuture(e);
      }
    }

    @Override
    public int parallelism() {
      return 1;
    }

    @Override
    public ExecutorStats stats() {
      return new ExecutorStats(1, 0, 0, 0);
    }

    @Override
    public void close() {}
  }
}
