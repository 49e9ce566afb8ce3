package dev.offload.tck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.offload.spi.ClaimRequest;
import dev.offload.spi.ClaimResult;
import dev.offload.spi.JobStore;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * The wait-for-work signal. A waiter may start waiting a little after the test thread asks it to,
 * so the tests enqueue repeatedly until it wakes instead of guessing when it is ready.
 */
abstract class AwaitWorkContract extends ContractSupport {
  /** Far longer than any test waits: waking before it means the signal worked. */
  private static final Duration LONG_WAIT = Duration.ofSeconds(60);

  private static final Duration PROMPTLY = Duration.ofSeconds(5);

  AwaitWorkContract(JobStoreContract owner) {
    super(owner);
  }

  @Test
  void enqueueFromAnotherThreadWakesAWaiterOnAnyQueue() throws Exception {
    assertWokenBy(store(), Set.of(), () -> enqueueQueued());
  }

  @Test
  void enqueueToAWatchedQueueWakesItsWaiter() throws Exception {
    assertWokenBy(store(), Set.of("mail", "pdf"), () -> enqueue(queued().queue("pdf").build()));
  }

  @Test
  void enqueueAllWakesAWaiter() throws Exception {
    assertWokenBy(
        store(), Set.of(), () -> store().enqueueAll(List.of(queued().build(), queued().build())));
  }

  @Test
  void waitWithoutWorkTimesOut() throws Exception {
    Duration maxWait = Duration.ofMillis(300);
    long start = System.nanoTime();

    boolean signalled = store().awaitWork(Set.of(), wakeMark(store(), Set.of()), maxWait);

    Duration took = Duration.ofNanos(System.nanoTime() - start);
    assertThat(signalled).isFalse();
    assertThat(took)
        .as("an idle store lets the waiter sleep (about maxWait)")
        .isGreaterThanOrEqualTo(maxWait.dividedBy(2))
        .isLessThan(maxWait.plus(PROMPTLY));
  }

  @Test
  void waiterCanBeInterrupted() throws Exception {
    AtomicReference<String> outcome = new AtomicReference<>("still waiting");
    Thread waiter =
        new Thread(
            () -> {
              try {
                store().awaitWork(Set.of(), wakeMark(store(), Set.of()), LONG_WAIT);
                // Returning early is fine as long as the interrupt is not swallowed.
                outcome.set(
                    Thread.currentThread().isInterrupted() ? "interrupted" : "returned, flag lost");
              } catch (InterruptedException e) {
                outcome.set("interrupted");
              }
            },
            "tck-await-work");
    waiter.start();
    try {
      // Let it block first (a store may sit in socket I/O, so thread states prove nothing).
      await().pollDelay(Duration.ofMillis(200)).atMost(PROMPTLY).until(() -> true);
      waiter.interrupt();
      waiter.join(PROMPTLY.toMillis());
      assertThat(waiter.isAlive()).as("awaitWork returns promptly on interrupt").isFalse();
      assertThat(outcome.get()).isEqualTo("interrupted");
    } finally {
      waiter.interrupt();
    }
  }

  @Test
  void workAnnouncedBetweenAnEmptyClaimAndTheWaitIsNotSleptThroughWhicheverThreadsTheyRunOn()
      throws Exception {
    ExecutorService claimer = Executors.newSingleThreadExecutor();
    ExecutorService waiter = Executors.newSingleThreadExecutor();
    try {
      ClaimResult empty =
          claimer
              .submit(() ->
                  store().claim(new ClaimRequest(WORKER, Set.of(), 1, now(), now().plus(LEASE))))
              .get();
      assertThat(empty.jobs()).isEmpty();
      enqueueQueued();
      long start = System.nanoTime();
      boolean woke =
          waiter.submit(() -> store().awaitWork(Set.of(), empty.wakeMark(), LONG_WAIT)).get();
      assertThat(woke).as("the wait saw the work announced after the claim's mark").isTrue();
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(PROMPTLY);
      assertThat(claim(WORKER, 1)).hasSize(1);
    } finally {
      claimer.shutdownNow();
      waiter.shutdownNow();
    }
  }

  /** The mark of an empty claim on {@code queues}, as a worker takes it before waiting. */
  private static long wakeMark(JobStore store, Set<String> queues) {
    Instant now = Instant.now();
    return store
        .claim(new ClaimRequest("tck-waiter", queues, 1, now, now.plusSeconds(30)))
        .wakeMark();
  }

  /**
   * Asserts that a waiter on {@code waitingOn} wakes by a signal soon after {@code work} runs on
   * another thread (again and again, as the waiter may not be waiting yet at first).
   */
  static void assertWokenBy(JobStore waitingOn, Set<String> queues, Runnable work)
      throws InterruptedException, ExecutionException {
    ExecutorService waiter = Executors.newSingleThreadExecutor();
    try {
      long start = System.nanoTime();
      Future<Boolean> woke =
          waiter.submit(() -> waitingOn.awaitWork(queues, wakeMark(waitingOn, queues), LONG_WAIT));
      await()
          .atMost(PROMPTLY)
          .pollInterval(Duration.ofMillis(50))
          .until(() -> {
            if (!woke.isDone()) {
              work.run();
            }
            return woke.isDone();
          });
      assertThat(woke.get()).as("woken by a signal, not by the time-out").isTrue();
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(LONG_WAIT);
    } finally {
      waiter.shutdownNow();
    }
  }
}
