package dev.offload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.offload.demo.DemoTasks;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class OffloadRunTest {
  record In(int n) {}

  record Out(int n, String thread, boolean virtual) {}

  static final Task<In, Out> ECHO =
      Task.of(
          "echo",
          In.class,
          Out.class,
          (in, ctx) ->
              new Out(
                  in.n(), Thread.currentThread().getName(), Thread.currentThread().isVirtual()));

  static final Task<In, Integer> SQUARE =
      Task.of(
          "square",
          In.class,
          Integer.class,
          (in, ctx) -> {
            if (in.n() < 0) {
              throw new IllegalArgumentException("negative: " + in.n());
            }
            return in.n() * in.n();
          });

  /** Runs until cancelled, counting how many such loops saw the cancellation. */
  static final AtomicInteger stoppedLoops = new AtomicInteger();

  static final Task<In, Integer> LOOP =
      Task.of(
          "loop",
          In.class,
          Integer.class,
          (in, ctx) -> {
            while (!ctx.isCancelled()) {
              Thread.onSpinWait();
            }
            stoppedLoops.incrementAndGet();
            return 0;
          });

  private final Offload offload =
      Offload.builder()
          .tasks(TaskRegistry.of(ECHO, SQUARE, LOOP, DemoTasks.SPIN))
          .threads(2)
          .workers(false)
          .build();

  @AfterEach
  void close() {
    offload.close();
  }

  @Test
  void runReturnsTheOutputComputedOnAPlatformPoolThreadEvenForAVirtualCaller() throws Exception {
    CompletableFuture<Out> out = new CompletableFuture<>();
    Thread.ofVirtual().start(() -> out.complete(offload.run(ECHO, new In(7)))).join();
    assertThat(out.get().n()).isEqualTo(7);
    assertThat(out.get().virtual()).isFalse();
    assertThat(out.get().thread()).startsWith("offload-cpu-");
  }

  @Test
  void aThrowingTaskFailsTheRunWithItsCause() {
    assertThatThrownBy(() -> offload.run(SQUARE, new In(-1)))
        .isInstanceOf(TaskFailedException.class)
        .hasMessageContaining("negative: -1")
        .hasCauseInstanceOf(IllegalArgumentException.class)
        .satisfies(e ->
            assertThat(((TaskFailedException) e).error().detail())
                .contains("IllegalArgumentException"));
  }

  @Test
  void cancellingTheFutureStopsTheWork() throws Exception {
    int before = stoppedLoops.get();
    CompletableFuture<Integer> f = offload.runAsync(LOOP, new In(0));
    await().atMost(Duration.ofSeconds(5)).until(() -> offload.poolStats().active() > 0);
    f.cancel(true);
    await().atMost(Duration.ofSeconds(5)).until(() -> stoppedLoops.get() > before);
    assertThat(offload.run(SQUARE, new In(3))).isEqualTo(9);
  }

  @Test
  void aTimeLimitCancelsTheWorkAndThrowsTimeout() {
    int before = stoppedLoops.get();
    assertThatThrownBy(() -> offload.run(LOOP, new In(0), Duration.ofMillis(100)))
        .isInstanceOf(TaskTimeoutException.class)
        .hasMessageContaining("loop");
    await().atMost(Duration.ofSeconds(5)).until(() -> stoppedLoops.get() > before);
  }

  @Test
  void interruptingTheWaitingCallerCancelsTheWork() throws Exception {
    int before = stoppedLoops.get();
    AtomicBoolean cancelled = new AtomicBoolean();
    Thread caller =
        Thread.ofVirtual()
            .start(() -> {
              try {
                offload.run(LOOP, new In(0));
              } catch (CancellationException e) {
                cancelled.set(true);
              }
            });
    await().atMost(Duration.ofSeconds(5)).until(() -> offload.poolStats().active() > 0);
    caller.interrupt();
    caller.join(5_000);
    assertThat(cancelled).isTrue();
    await().atMost(Duration.ofSeconds(5)).until(() -> stoppedLoops.get() > before);
  }

  @Test
  void mapKeepsInputOrderOverManyTinyElements() {
    List<In> inputs = IntStream.range(0, 20_000).mapToObj(In::new).toList();
    List<Integer> out = offload.map(SQUARE, inputs);
    assertThat(out).hasSize(20_000);
    for (int i = 0; i < out.size(); i++) {
      assertThat(out.get(i)).isEqualTo(i * i);
    }
  }

  @Test
  void mapUsesEveryPoolThread() {
    List<DemoTasks.SpinInput> inputs =
        IntStream.range(0, 40).mapToObj(i -> new DemoTasks.SpinInput(5)).toList();
    List<Out> seen = offload.map(ECHO, IntStream.range(0, 2_000).mapToObj(In::new).toList());
    offload.map(DemoTasks.SPIN, inputs);
    assertThat(seen).allSatisfy(o -> assertThat(o.virtual()).isFalse());
  }

  @Test
  void mapFailsFastWithTheIndexOfTheFailure() {
    List<In> inputs = new ArrayList<>();
    for (int i = 0; i < 1_000; i++) {
      inputs.add(new In(i == 500 ? -1 : i));
    }
    assertThatThrownBy(() -> offload.map(SQUARE, inputs))
        .isInstanceOf(MapException.class)
        .satisfies(e -> assertThat(((MapException) e).index()).isEqualTo(500))
        .hasMessageContaining("negative: -1");
  }

  @Test
  void mapOutcomesReportsEveryElement() {
    List<Outcome<Integer>> out =
        offload.mapOutcomes(SQUARE, List.of(new In(2), new In(-3), new In(4)));
    assertThat(out).hasSize(3);
    assertThat(out.get(0).value()).isEqualTo(4);
    assertThat(out.get(1).isSuccess()).isFalse();
    assertThat(out.get(1).error().message()).contains("negative: -3");
    assertThat(out.get(2).value()).isEqualTo(16);
  }

  @Test
  void emptyMapReturnsEmpty() {
    assertThat(offload.map(SQUARE, List.of())).isEmpty();
  }

  @Test
  void cancellingAMapStopsItsElements() throws Exception {
    int before = stoppedLoops.get();
    CompletableFuture<List<Integer>> f = offload.mapAsync(LOOP, List.of(new In(1), new In(2)));
    await().atMost(Duration.ofSeconds(5)).until(() -> offload.poolStats().active() == 2);
    f.cancel(true);
    await().atMost(Duration.ofSeconds(5)).until(() -> stoppedLoops.get() >= before + 2);
  }

  @Test
  void aTaskMayMapFromInsideThePoolWithoutDeadlock() {
    try (Offload single =
        Offload.builder().tasks(TaskRegistry.of(SQUARE)).threads(1).workers(false).build()) {
      Task<In, Integer> nested =
          Task.of(
              "nested",
              In.class,
              Integer.class,
              (in, ctx) ->
                  single.map(SQUARE, List.of(new In(1), new In(2), new In(3))).stream()
                      .mapToInt(Integer::intValue)
                      .sum());
      assertThat(single.run(nested, new In(0), Duration.ofSeconds(10))).isEqualTo(14);
    }
  }

  @Test
  void jsonEdgesDecodeInputAndReportTheBadField() throws Exception {
    var mapper = new com.fasterxml.jackson.databind.ObjectMapper();
    assertThat(offload.runJson("square", mapper.readTree("{\"n\": 5}"), null).get().asInt())
        .isEqualTo(25);
    assertThatThrownBy(() -> offload.runJson("square", mapper.readTree("{\"n\": \"x\"}"), null))
        .isInstanceOf(InvalidInputException.class)
        .satisfies(e -> assertThat(((InvalidInputException) e).field()).isEqualTo("input.n"))
        .hasMessageStartingWith("input.n: ")
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("input.n: input.n"));
    assertThatThrownBy(() -> offload.runJson("nope", mapper.readTree("{}"), null))
        .isInstanceOf(TaskNotFoundException.class);
    assertThat(
            offload
                .mapJson(
                    "square", List.of(mapper.readTree("{\"n\":2}"), mapper.readTree("{\"n\":3}")))
                .get())
        .extracting(n -> n.asInt())
        .containsExactly(4, 9);
  }

  @Test
  void afterCloseNewWorkIsRefused() {
    offload.close();
    assertThatThrownBy(() -> offload.run(SQUARE, new In(1)))
        .isInstanceOf(ShuttingDownException.class);
  }

  @Test
  void aTasksOwnExecutorRunsItAndIsClosedWithTheInstance() {
    AtomicBoolean closed = new AtomicBoolean();
    dev.offload.internal.pool.CpuPool inner = new dev.offload.internal.pool.CpuPool(1, 4);
    dev.offload.spi.TaskExecutor own =
        new dev.offload.spi.TaskExecutor() {
          @Override
          public <I, O> CompletableFuture<O> execute(Task<I, O> task, I input, TaskContext ctx) {
            return inner.execute(task, input, ctx);
          }

          @Override
          public int parallelism() {
            return 1;
          }

          @Override
          public ExecutorStats stats() {
            return inner.stats();
          }

          @Override
          public void close() {
            closed.set(true);
            inner.close();
          }
        };
    Offload custom =
        Offload.builder().tasks(TaskRegistry.of(ECHO)).executor("echo", own).workers(false).build();
    assertThat(custom.run(ECHO, new In(1)).thread()).startsWith("offload-cpu-");
    assertThat(custom.map(ECHO, List.of(new In(1), new In(2), new In(3))))
        .extracting(Out::n)
        .containsExactly(1, 2, 3);
    assertThat(custom.executorStats()).containsOnlyKeys("cpu", "task:echo");
    assertThat(custom.executorStats().get("task:echo").parallelism()).isEqualTo(1);
    assertThat(custom.executorStats().get("cpu").parallelism()).isEqualTo(2);
    custom.close();
    assertThat(closed).isTrue();
  }
}
