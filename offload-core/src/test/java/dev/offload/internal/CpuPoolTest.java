package dev.offload.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.offload.QueueFullException;
import dev.offload.internal.pool.CpuPool;
import dev.offload.internal.pool.PoolTask;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class CpuPoolTest {
  private final CpuPool pool = new CpuPool(1, 2);

  @AfterEach
  void close() {
    pool.close();
  }

  @Test
  void runsOnPlatformPoolThreads() throws Exception {
    PoolTask<Thread> t = pool.submit(Thread::currentThread);
    Thread thread = t.get(5, TimeUnit.SECONDS);
    assertThat(thread.isVirtual()).isFalse();
    assertThat(thread.getName()).startsWith("offload-cpu-");
  }

  @Test
  void refusesWithQueueFullWhenTheBoundedQueueIsFull() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    CountDownLatch started = new CountDownLatch(1);
    pool.submit(() -> {
      started.countDown();
      release.await();
      return null;
    });
    started.await();
    pool.submit(() -> 1);
    pool.submit(() -> 2);
    assertThatThrownBy(() -> pool.submit(() -> 3))
        .isInstanceOf(QueueFullException.class)
        .hasMessageContaining("queue is full")
        .satisfies(e -> assertThat(((QueueFullException) e).retryAfter()).isPositive());
    assertThat(pool.stats().queued()).isEqualTo(2);
    assertThat(pool.stats().active()).isEqualTo(1);
    release.countDown();
  }

  @Test
  void cancelInterruptsTheRunningWork() throws Exception {
    CountDownLatch started = new CountDownLatch(1);
    AtomicBoolean interrupted = new AtomicBoolean();
    PoolTask<Void> t =
        pool.submit(() -> {
          started.countDown();
          try {
            Thread.sleep(60_000);
          } catch (InterruptedException e) {
            interrupted.set(true);
          }
          return null;
        });
    started.await();
    t.cancel(true);
    await().atMost(Duration.ofSeconds(5)).untilTrue(interrupted);
  }

  @Test
  void aLateCancelDoesNotInterruptTheNextTaskOnTheSameThread() throws Exception {
    PoolTask<Integer> first = pool.submit(() -> 1);
    assertThat(first.get(5, TimeUnit.SECONDS)).isEqualTo(1);
    first.cancel(true);
    PoolTask<Boolean> second =
        pool.submit(() -> {
          Thread.sleep(20);
          return Thread.currentThread().isInterrupted();
        });
    assertThat(second.get(5, TimeUnit.SECONDS)).isFalse();
  }

  @Test
  void workCancelledBeforeItStartsNeverRuns() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    CountDownLatch started = new CountDownLatch(1);
    pool.submit(() -> {
      started.countDown();
      release.await();
      return null;
    });
    started.await();
    AtomicBoolean ran = new AtomicBoolean();
    PoolTask<Void> queued =
        pool.submit(() -> {
          ran.set(true);
          return null;
        });
    queued.cancel(true);
    release.countDown();
    PoolTask<Integer> after = pool.submit(() -> 1);
    after.get(5, TimeUnit.SECONDS);
    assertThat(ran).isFalse();
  }
}
