package dev.offload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;
import static org.awaitility.Awaitility.await;

import dev.offload.demo.DemoTasks;
import dev.offload.spi.ClaimRequest;
import dev.offload.spi.Completion;
import dev.offload.spi.Heartbeat;
import dev.offload.spi.JobStore;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class OffloadJobsTest {
  record In(int n) {}

  static final AtomicInteger cancelledLoops = new AtomicInteger();

  static final Task<In, Integer> DOUBLE =
      Task.of("double", In.class, Integer.class, (in, ctx) -> in.n() * 2);

  static final Task<In, Integer> LOOP =
      Task.of(
          "loop",
          In.class,
          Integer.class,
          (in, ctx) -> {
            while (!ctx.isCancelled()) {
              Thread.onSpinWait();
            }
            cancelledLoops.incrementAndGet();
            return -1;
          });

  static final Task<In, Integer> PROGRESS =
      Task.of(
          "progress",
          In.class,
          Integer.class,
          (in, ctx) -> {
            ctx.progress(0.5, "half way");
            while (!ctx.isCancelled()) {
              Thread.onSpinWait();
            }
            return 0;
          });

  private final TestClock clock = new TestClock();
  private final JobStore shared = JobStores.inMemory();

  /** The engine closes its store; these tests restart engines on one store, so hide close. */
  private final JobStore store =
      (JobStore)
          java.lang.reflect.Proxy.newProxyInstance(
              JobStore.class.getClassLoader(),
              new Class<?>[] {JobStore.class},
              (proxy, method, args) -> {
                if (method.getName().equals("close")) {
                  return null;
                }
                try {
                  return method.invoke(shared, args);
                } catch (java.lang.reflect.InvocationTargetException e) {
                  throw e.getCause();
                }
              });

  private final TaskRegistry registry =
      TaskRegistry.builder()
          .register(DOUBLE)
          .register(LOOP)
          .register(PROGRESS)
          .registerAll(DemoTasks.all())
          .build();
  private Offload offload = start(store);

  private Offload start(JobStore jobStore) {
    return Offload.builder()
        .tasks(registry)
        .store(jobStore)
        .clock(clock)
        .threads(2)
        .leaseDuration(Duration.ofMillis(600))
        .pollInterval(Duration.ofMillis(20))
        .shutdownGrace(Duration.ofMillis(200))
        .defaultBackoff(Backoff.of(Duration.ofSeconds(10), Duration.ofMinutes(1)))
        .build();
  }

  @AfterEach
  void close() {
    offload.close();
    shared.close();
  }

  private Job awaitState(JobId id, JobState state) {
    await()
        .atMost(Duration.ofSeconds(10))
        .pollInterval(Duration.ofMillis(5))
        .until(() -> offload.job(id).state() == state);
    return offload.job(id);
  }

  @Test
  void aSubmittedJobRunsAndItsResultCanBeRead() throws Exception {
    Job job = offload.submit(JobSpec.of("double", new In(21)));
    assertThat(job.state()).isIn(JobState.QUEUED, JobState.RUNNING, JobState.SUCCEEDED);
    Job done = offload.await(job.id(), Duration.ofSeconds(10));
    assertThat(done.state()).isEqualTo(JobState.SUCCEEDED);
    assertThat(done.attempts()).isEqualTo(1);
    assertThat(done.startedAt()).isNotNull();
    assertThat(done.finishedAt()).isNotNull();
    assertThat(offload.result(job.id(), Integer.class)).isEqualTo(42);
  }

  @Test
  void manyJobsInOneSubmitAllAllComplete() throws Exception {
    List<Job> jobs =
        offload.submitAll(
            IntStream.range(0, 500).mapToObj(i -> JobSpec.of("double", new In(i))).toList());
    for (int i = 0; i < jobs.size(); i++) {
      assertThat(offload.await(jobs.get(i).id(), Duration.ofSeconds(10)).state())
          .isEqualTo(JobState.SUCCEEDED);
      assertThat(offload.result(jobs.get(i).id(), Integer.class)).isEqualTo(2 * i);
    }
    assertThat(offload.counts().total(JobState.SUCCEEDED)).isEqualTo(500);
  }

  @Test
  void aFailedAttemptIsRetriedAfterBackoffOnTheInjectedClock() throws Exception {
    Instant submitted = clock.instant();
    Job job = offload.submit(JobSpec.of("flaky", new DemoTasks.FlakyInput(1)).maxAttempts(3));
    Job waiting = awaitState(job.id(), JobState.SCHEDULED);
    assertThat(waiting.attempts()).isEqualTo(1);
    assertThat(waiting.error().message()).contains("planned failures");
    // Equal jitter: the first retry waits between half and all of the initial 10 s.
    assertThat(waiting.runAt()).isBetween(submitted.plusSeconds(5), submitted.plusSeconds(10));
    // Until the injected clock reaches runAt the job stays put, however often the worker looks.
    await()
        .during(Duration.ofMillis(150))
        .atMost(Duration.ofSeconds(2))
        .until(() -> offload.job(job.id()).state() == JobState.SCHEDULED);
    clock.advance(Duration.ofSeconds(10));
    Job done = awaitState(job.id(), JobState.SUCCEEDED);
    assertThat(done.attempts()).isEqualTo(2);
    assertThat(offload.result(job.id(), DemoTasks.FlakyOutput.class).attempt()).isEqualTo(2);
  }

  @Test
  void aJobFailsForGoodWhenItsAttemptsRunOut() {
    Job job = offload.submit(JobSpec.of("flaky", new DemoTasks.FlakyInput(5)).maxAttempts(2));
    awaitState(job.id(), JobState.SCHEDULED);
    clock.advance(Duration.ofSeconds(30));
    Job failed = awaitState(job.id(), JobState.FAILED);
    assertThat(failed.attempts()).isEqualTo(2);
    assertThat(failed.error().type()).isEqualTo(JobError.EXCEPTION);
    assertThat(failed.error().detail()).contains("IllegalStateException");
    assertThatThrownBy(() -> offload.result(job.id(), Integer.class))
        .isInstanceOf(TaskFailedException.class)
        .hasMessageContaining("planned failures");
  }

  @Test
  void aRetryOfAFailedJobRunsItAgain() {
    Job job = offload.submit(JobSpec.of("flaky", new DemoTasks.FlakyInput(1)).maxAttempts(1));
    awaitState(job.id(), JobState.FAILED);
    offload.retry(job.id());
    Job done = awaitState(job.id(), JobState.SUCCEEDED);
    assertThat(done.attempts()).isEqualTo(2);
  }

  @Test
  void aTimedOutAttemptIsStoppedAndFailedAsTimeout() {
    int before = cancelledLoops.get();
    Job job =
        offload.submit(
            JobSpec.of("loop", new In(0)).timeout(Duration.ofMillis(100)).maxAttempts(1));
    Job failed = awaitState(job.id(), JobState.FAILED);
    assertThat(failed.error().type()).isEqualTo(JobError.TIMEOUT);
    await().atMost(Duration.ofSeconds(5)).until(() -> cancelledLoops.get() > before);
  }

  @Test
  void cancellingAQueuedJobMeansItNeverRuns() {
    offload.close();
    offload = Offload.builder().tasks(registry).store(store).clock(clock).workers(false).build();
    Job job = offload.submit(JobSpec.of("double", new In(1)));
    Job cancelled = offload.cancel(job.id());
    assertThat(cancelled.state()).isEqualTo(JobState.CANCELLED);
    offload.close();
    offload = start(store);
    Job other = offload.submit(JobSpec.of("double", new In(2)));
    awaitState(other.id(), JobState.SUCCEEDED);
    assertThat(offload.job(job.id()).state()).isEqualTo(JobState.CANCELLED);
    assertThat(offload.job(job.id()).attempts()).isZero();
  }

  @Test
  void cancellingARunningJobStopsItsWork() {
    int before = cancelledLoops.get();
    Job job = offload.submit(JobSpec.of("loop", new In(0)));
    awaitState(job.id(), JobState.RUNNING);
    assertThat(offload.cancel(job.id()).state()).isEqualTo(JobState.CANCELLED);
    await().atMost(Duration.ofSeconds(5)).until(() -> cancelledLoops.get() > before);
    assertThat(offload.job(job.id()).state()).isEqualTo(JobState.CANCELLED);
  }

  @Test
  void progressReachesTheStoreThroughHeartbeats() {
    Job job = offload.submit(JobSpec.of("progress", new In(0)));
    await().atMost(Duration.ofSeconds(5)).until(() -> offload.job(job.id()).progress() != null);
    assertThat(offload.job(job.id()).progress()).isEqualTo(new Progress(0.5, "half way"));
    offload.cancel(job.id());
  }

  @Test
  void aSecondSubmitWithTheSameIdempotencyKeyReturnsTheFirstJob() {
    Job first = offload.submit(JobSpec.of("double", new In(1)).idempotencyKey("order-17"));
    Job second = offload.submit(JobSpec.of("double", new In(99)).idempotencyKey("order-17"));
    assertThat(second.id()).isEqualTo(first.id());
    assertThat(second.input()).isEqualTo("{\"n\":1}");
  }

  @Test
  void badSubmissionsAreRefusedBeforeAnythingIsStored() {
    assertThatThrownBy(() -> offload.submit(JobSpec.of("nope", new In(1))))
        .isInstanceOf(TaskNotFoundException.class);
    assertThatThrownBy(() -> offload.submit(JobSpec.of("double", java.util.Map.of("n", "x"))))
        .isInstanceOf(InvalidInputException.class)
        .satisfies(e -> assertThat(((InvalidInputException) e).field()).isEqualTo("input.n"));
    assertThat(offload.jobs(JobQuery.all()).items()).isEmpty();
  }

  @Test
  void aDelayedJobWaitsForItsTime() {
    Job job = offload.submit(JobSpec.of("double", new In(1)).delay(Duration.ofMinutes(5)));
    assertThat(job.state()).isEqualTo(JobState.SCHEDULED);
    clock.advance(Duration.ofMinutes(5));
    awaitState(job.id(), JobState.SUCCEEDED);
  }

  @Test
  void finishedJobsArePurgedAfterTheRetentionPeriod() throws Exception {
    offload.close();
    offload =
        Offload.builder()
            .tasks(registry)
            .store(store)
            .clock(clock)
            .pollInterval(Duration.ofMillis(20))
            .resultRetention(Duration.ofMillis(100))
            .build();
    Job job = offload.submit(JobSpec.of("double", new In(1)));
    offload.await(job.id(), Duration.ofSeconds(5));
    clock.advance(Duration.ofSeconds(1));
    await().atMost(Duration.ofSeconds(5)).until(() -> offload.findJob(job.id()).isEmpty());
  }

  @Test
  void eventsFollowAJobThroughItsStates() throws Exception {
    List<JobState> states = new CopyOnWriteArrayList<>();
    try (AutoCloseable sub = offload.subscribe(e -> states.add(e.state()))) {
      Job job = offload.submit(JobSpec.of("double", new In(1)));
      offload.await(job.id(), Duration.ofSeconds(5));
      await().atMost(Duration.ofSeconds(5)).until(() -> states.contains(JobState.SUCCEEDED));
    }
    assertThat(states).containsSubsequence(JobState.QUEUED, JobState.RUNNING, JobState.SUCCEEDED);
  }

  @Test
  void aJobOfACrashedWorkerIsRunAgainAfterItsLeaseAndTheLateCompletionIsRejected() {
    offload.close();
    Job job = offload0Submit();
    // A worker in another process claims the job, reports it started, and dies without a word.
    Instant now = clock.instant();
    Job claimed =
        store
            .claim(new ClaimRequest("dead-worker", Set.of(), 1, now, now.plusSeconds(1)))
            .jobs()
            .get(0);
    assertThat(
            store.heartbeat(
                List.of(new Heartbeat(claimed.lease(), null, now)), now.plusSeconds(1), now))
        .isEmpty();
    offload = start(store);
    clock.advance(Duration.ofSeconds(2));
    Job done = awaitState(job.id(), JobState.SUCCEEDED);
    assertThat(done.attempts()).isEqualTo(2);
    assertThat(done.error()).as("a success clears the error").isNull();
    assertThat(done.history())
        .extracting(JobAttempt::attempt, JobAttempt::worker, JobAttempt::outcome)
        .containsExactly(
            tuple(1, "dead-worker", JobAttempt.LEASE_EXPIRED),
            tuple(2, done.history().get(1).worker(), JobAttempt.SUCCEEDED));
    assertThat(done.history().get(0).error().type()).isEqualTo(JobError.LEASE_EXPIRED);
    assertThat(
            store.complete(
                List.of(Completion.succeeded(claimed.lease(), now, "666")), clock.instant()))
        .containsExactly(false);
    assertThat(offload.result(job.id(), Integer.class)).isEqualTo(2);
  }

  @Test
  void aJobClaimedByAWorkerThatDiedBeforeStartingItIsNotCharged() {
    offload.close();
    Job job = offload0Submit();
    Instant now = clock.instant();
    Job claimed =
        store
            .claim(new ClaimRequest("dead-worker", Set.of(), 1, now, now.plusSeconds(1)))
            .jobs()
            .get(0);
    assertThat(store.get(job.id()).orElseThrow().state())
        .as("a claimed job is not shown as running")
        .isEqualTo(JobState.QUEUED);
    offload = start(store);
    clock.advance(Duration.ofSeconds(2));
    Job done = awaitState(job.id(), JobState.SUCCEEDED);
    assertThat(done.attempts()).isEqualTo(1);
    assertThat(done.lostReservations()).isEqualTo(1);
    assertThat(done.history()).hasSize(1);
    assertThat(
            store.complete(
                List.of(Completion.succeeded(claimed.lease(), now, "666")), clock.instant()))
        .containsExactly(false);
  }

  private Job offload0Submit() {
    try (Offload api =
        Offload.builder().tasks(registry).store(store).clock(clock).workers(false).build()) {
      return api.submit(JobSpec.of("double", new In(1)));
    }
  }

  @Test
  void aWorkerThatLosesItsLeaseStopsTheAttempt() {
    int before = cancelledLoops.get();
    Job job = offload.submit(JobSpec.of("loop", new In(0)));
    awaitState(job.id(), JobState.RUNNING);
    // The store takes the job back (as a reaper elsewhere would after a missed heartbeat).
    store.cancel(job.id(), clock.instant());
    await().atMost(Duration.ofSeconds(5)).until(() -> cancelledLoops.get() > before);
  }

  @Test
  void shutdownReleasesUnfinishedJobsSoNothingIsLost() {
    Job job = offload.submit(JobSpec.of("loop", new In(0)));
    awaitState(job.id(), JobState.RUNNING);
    offload.close();
    Job released = store.get(job.id()).orElseThrow();
    assertThat(released.state()).isEqualTo(JobState.QUEUED);
    assertThat(released.leaseOwner()).isNull();
    offload = start(store);
    awaitState(job.id(), JobState.RUNNING);
    offload.cancel(job.id());
  }

  @Test
  void workersAreListedWhileTheyRun() {
    await().atMost(Duration.ofSeconds(5)).until(() -> !offload.workers().isEmpty());
    WorkerInfo w = offload.workers().get(0);
    assertThat(w.concurrency()).isEqualTo(2);
    assertThat(w.pid()).isEqualTo(ProcessHandle.current().pid());
  }

  @Test
  void jobsPrefetchedBehindABusySlotGoBackToTheQueueAtShutdown() throws Exception {
    offload.close();
    offload =
        Offload.builder()
            .tasks(registry)
            .store(store)
            .clock(clock)
            .threads(1)
            .workerConcurrency(1)
            .leaseDuration(Duration.ofSeconds(5))
            .pollInterval(Duration.ofMillis(20))
            .shutdownGrace(Duration.ofMillis(100))
            .build();
    // A short job first: only once jobs are known to be short does the worker prefetch.
    Job warm = offload.submit(JobSpec.of("double", new In(1)));
    offload.await(warm.id(), Duration.ofSeconds(5));
    List<JobSpec> specs = new java.util.ArrayList<>();
    specs.add(JobSpec.of("loop", new In(0)));
    for (int i = 0; i < 5; i++) {
      specs.add(JobSpec.of("double", new In(i)));
    }
    List<Job> jobs = offload.submitAll(specs);
    // One claim took them all: the loop runs in the only slot (running once a heartbeat reported
    // its start), the rest wait behind it, leased but honestly still queued and not charged.
    await()
        .atMost(Duration.ofSeconds(5))
        .until(() ->
            offload.counts().total(JobState.RUNNING) == 1
                && jobs.stream()
                    .allMatch(j -> store.get(j.id()).orElseThrow().leaseOwner() != null));
    assertThat(offload.counts().total(JobState.QUEUED)).isEqualTo(5);
    assertThat(offload.counts().total(JobState.SUCCEEDED)).isEqualTo(1);
    offload.close();
    for (Job job : jobs) {
      Job after = store.get(job.id()).orElseThrow();
      assertThat(after.state()).as("job %s", job.task()).isEqualTo(JobState.QUEUED);
      assertThat(after.leaseOwner()).isNull();
      assertThat(after.attempts()).as("released at shutdown: not charged").isZero();
    }
    offload = start(store);
    for (Job job : jobs.subList(1, jobs.size())) {
      assertThat(offload.await(job.id(), Duration.ofSeconds(5)).state())
          .isEqualTo(JobState.SUCCEEDED);
    }
    offload.cancel(jobs.get(0).id());
  }
}
