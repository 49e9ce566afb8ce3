package dev.offload.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.offload.InvalidInputException;
import dev.offload.demo.DemoTasks;
import dev.offload.demo.DemoTasks.SpinInput;
import dev.offload.demo.DemoTasks.SpinOutput;
import dev.offload.process.TestTasks.Code;
import dev.offload.process.TestTasks.Empty;
import dev.offload.process.TestTasks.Mb;
import dev.offload.process.TestTasks.Pid;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Java tasks in child JVMs on this test's class path (tasks from {@link TestTasks}). */
class JavaChildTest {
  private final List<ProcessExecutor> executors = new ArrayList<>();

  ProcessExecutor start(ProcessExecutor.Builder b) throws InterruptedException {
    ProcessExecutor e = b.build();
    executors.add(e);
    assertThat(e.awaitReady(Duration.ofSeconds(30))).as("child JVMs ready").isTrue();
    return e;
  }

  @AfterEach
  void closeAll() throws InterruptedException {
    for (ProcessExecutor e : executors) {
      e.shutdownNow();
      assertThat(e.awaitTermination(Duration.ofSeconds(10))).isTrue();
    }
  }

  static <T> T join(CompletableFuture<T> f) {
    return f.orTimeout(30, TimeUnit.SECONDS).join();
  }

  static Throwable failure(CompletableFuture<?> f) {
    return org.assertj.core.api.Assertions.catchThrowableOfType(
            CompletionException.class, () -> join(f))
        .getCause();
  }

  @Test
  void runsJavaTasksInAChildJvmWithTheSameClassPath() throws Exception {
    ProcessExecutor e = start(ProcessExecutor.javaChild().size(1));
    Pid pid = join(e.execute(TestTasks.PID, new Empty(), new TestContext(3)));
    assertThat(pid.pid()).isNotEqualTo(ProcessHandle.current().pid());
    assertThat(pid.pid()).isEqualTo(e.children().get(0).pid());
    assertThat(pid.attempt()).isEqualTo(3);
    SpinOutput out = join(e.execute(DemoTasks.SPIN, new SpinInput(20), new TestContext()));
    assertThat(out.iterations()).isPositive();
    Throwable bad = failure(e.execute(DemoTasks.SPIN, new SpinInput(-1), new TestContext()));
    assertThat(bad)
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("input.ms: must be");
  }

  @Test
  void aRunawayJavaTaskIsKilledAtItsHardLimitAndThePoolRecovers() throws Exception {
    ProcessExecutor e =
        start(
            ProcessExecutor.javaChild()
                .size(1)
                .softTimeLimit(Duration.ofMillis(300))
                .hardTimeLimit(Duration.ofMillis(800)));
    long before = e.children().get(0).pid();
    Throwable t = failure(e.execute(TestTasks.RUNAWAY, new Empty(), new TestContext()));
    assertThat(t).isInstanceOf(ChildTimeoutException.class);
    assertThat(((ChildTimeoutException) t).killed()).isTrue();
    assertThat(ProcessHandle.of(before).map(ProcessHandle::isAlive).orElse(false)).isFalse();
    Pid after = join(e.execute(TestTasks.PID, new Empty(), new TestContext()));
    assertThat(after.pid()).isNotEqualTo(before);
  }

  @Test
  void cancelStopsAJavaTaskInItsChildWithoutKillingIt() throws Exception {
    ProcessExecutor e = start(ProcessExecutor.javaChild().size(1));
    long pid = e.children().get(0).pid();
    CompletableFuture<SpinOutput> f =
        e.execute(DemoTasks.SPIN, new SpinInput(600_000), new TestContext());
    await().atMost(Duration.ofSeconds(10)).until(() -> e.processStats().busy() == 1);
    f.cancel(true);
    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> e.children().get(0).state() == ChildState.IDLE);
    assertThat(e.children().get(0).pid()).isEqualTo(pid);
    assertThat(join(e.execute(TestTasks.PID, new Empty(), new TestContext())).pid()).isEqualTo(pid);
  }

  @Test
  void aJavaMemoryHogIsStoppedAtItsHeapLimit() throws Exception {
    ProcessExecutor e = start(ProcessExecutor.javaChild().size(1).maxMemory(64L << 20));
    Throwable t = failure(e.execute(TestTasks.HOG, new Mb(512), new TestContext()));
    assertThat(t)
        .isInstanceOf(MemoryLimitExceededException.class)
        .hasMessageContaining("memory limit of 64 MiB");
    assertThat(join(e.execute(TestTasks.HOG, new Mb(8), new TestContext()))).isNotNull();
    assertThat(e.processStats().memoryKills()).isEqualTo(1);
  }

  @Test
  void aJavaChildThatExitsMidTaskFailsOnlyThatAttempt() throws Exception {
    ProcessExecutor e = start(ProcessExecutor.javaChild().size(1));
    Throwable t = failure(e.execute(TestTasks.CRASH, new Code(42), new TestContext()));
    assertThat(t).isInstanceOf(ChildCrashedException.class).hasMessageContaining("exit");
    assertThat(((ChildCrashedException) t).exitCode()).hasValue(42);
    assertThat(((ChildCrashedException) t).stderr()).contains("about to crash with 42");
    assertThat(join(e.execute(TestTasks.PID, new Empty(), new TestContext()))).isNotNull();
  }
}
