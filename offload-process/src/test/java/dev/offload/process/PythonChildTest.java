package dev.offload.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.offload.QueueFullException;
import dev.offload.ShuttingDownException;
import dev.offload.Task;
import dev.offload.TaskNotFoundException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** ProcessExecutor with real Python children (src/test/python/worker_tasks.py). */
class PythonChildTest {
  static final ObjectMapper JSON = new ObjectMapper();
  static final Path HELPER = Path.of("../clients/python/src").toAbsolutePath().normalize();
  static final Path WORKER = Path.of("src/test/python/worker_tasks.py").toAbsolutePath();

  static final Task<JsonNode, JsonNode> ECHO = task("echo");
  static final Task<JsonNode, JsonNode> RUNAWAY = task("runaway");
  static final Task<JsonNode, JsonNode> COOPERATIVE = task("cooperative");
  static final Task<JsonNode, JsonNode> CRASH = task("crash");
  static final Task<JsonNode, JsonNode> SIGNAL = task("die_by_signal");
  static final Task<JsonNode, JsonNode> HOG = task("hog");
  static final Task<JsonNode, JsonNode> FAIL = task("fail");

  private final List<ProcessExecutor> executors = new ArrayList<>();

  static Task<JsonNode, JsonNode> task(String name) {
    return ExternalTask.of(name, JsonNode.class, JsonNode.class);
  }

  static JsonNode json(Object... kv) {
    Map<String, Object> m = new java.util.LinkedHashMap<>();
    for (int i = 0; i < kv.length; i += 2) {
      m.put((String) kv[i], kv[i + 1]);
    }
    return JSON.valueToTree(m);
  }

  ProcessExecutor.Builder python() {
    return ProcessExecutor.command("python3", "-u", WORKER.toString())
        .environment("PYTHONPATH", HELPER.toString())
        .size(1);
  }

  ProcessExecutor start(ProcessExecutor.Builder b) throws InterruptedException {
    ProcessExecutor e = b.build();
    executors.add(e);
    assertThat(e.awaitReady(Duration.ofSeconds(20))).as("children ready").isTrue();
    return e;
  }

  @AfterEach
  void closeAll() throws InterruptedException {
    for (ProcessExecutor e : executors) {
      e.shutdownNow();
      assertThat(e.awaitTermination(Duration.ofSeconds(10))).as("children exited").isTrue();
    }
  }

  static JsonNode run(ProcessExecutor e, Task<JsonNode, JsonNode> t, JsonNode in) {
    return e.execute(t, in, new TestContext()).orTimeout(20, TimeUnit.SECONDS).join();
  }

  static Throwable failure(CompletableFuture<?> f) {
    return org.assertj.core.api.Assertions.catchThrowableOfType(
            CompletionException.class, () -> f.orTimeout(20, TimeUnit.SECONDS).join())
        .getCause();
  }

  @Test
  void runsATaskAndReusesTheChild() throws Exception {
    ProcessExecutor e = start(python());
    JsonNode a = run(e, ECHO, json("value", "hi"));
    JsonNode b = run(e, ECHO, json("value", 2));
    assertThat(a.get("value").asText()).isEqualTo("hi");
    assertThat(b.get("value").asInt()).isEqualTo(2);
    assertThat(b.get("pid").asLong()).isEqualTo(a.get("pid").asLong());
    assertThat(e.processStats().tasksRun()).isEqualTo(2);
    assertThat(e.children())
        .singleElement()
        .satisfies(c -> {
          assertThat(c.pid()).isEqualTo(a.get("pid").asLong());
          assertThat(c.state()).isEqualTo(ChildState.IDLE);
          assertThat(c.tasksRun()).isEqualTo(2);
          assertThat(c.rssBytes()).isPositive();
        });
  }

  @Test
  void runawayLoopIsKilledAtItsHardLimitAndThePoolRecovers() throws Exception {
    ProcessExecutor e =
        start(python().softTimeLimit(Duration.ofMillis(200)).hardTimeLimit(Duration.ofMillis(600)));
    long before = run(e, ECHO, json()).get("pid").asLong();
    long start = System.nanoTime();
    Throwable t = failure(e.execute(RUNAWAY, json(), new TestContext()));
    long tookMs = (System.nanoTime() - start) / 1_000_000;
    assertThat(t).isInstanceOf(ChildTimeoutException.class).hasMessageContaining("killed");
    assertThat(((ChildTimeoutException) t).killed()).isTrue();
    assertThat(tookMs).isBetween(550L, 5_000L);
    assertThat(ProcessHandle.of(before).map(ProcessHandle::isAlive).orElse(false)).isFalse();
    long after = run(e, ECHO, json()).get("pid").asLong();
    assertThat(after).isNotEqualTo(before);
    assertThat(e.processStats().timeouts()).isEqualTo(1);
    assertThat(e.processStats().restarts()).isEqualTo(1);
  }

  @Test
  void aCooperativeTaskStopsAtItsSoftLimitAndKeepsItsChild() throws Exception {
    ProcessExecutor e =
        start(python().softTimeLimit(Duration.ofMillis(200)).hardTimeLimit(Duration.ofSeconds(10)));
    long pid = run(e, ECHO, json()).get("pid").asLong();
    Throwable t = failure(e.execute(COOPERATIVE, json(), new TestContext()));
    assertThat(t).isInstanceOf(ChildTimeoutException.class);
    assertThat(((ChildTimeoutException) t).killed()).isFalse();
    assertThat(run(e, ECHO, json()).get("pid").asLong()).isEqualTo(pid);
    assertThat(e.processStats().restarts()).isZero();
  }

  @Test
  void aCrashMidTaskFailsOnlyItsAttempt() throws Exception {
    ProcessExecutor e = start(python().size(2));
    CompletableFuture<JsonNode> slow = e.execute(COOPERATIVE, json("steps", 30), new TestContext());
    Throwable t = failure(e.execute(CRASH, json("code", 7), new TestContext()));
    assertThat(t).isInstanceOf(ChildCrashedException.class);
    ChildCrashedException c = (ChildCrashedException) t;
    assertThat(c.exitCode()).hasValue(7);
    assertThat(c.signal()).isEmpty();
    assertThat(c.stderr()).contains("about to crash with 7");
    assertThat(c.getMessage()).contains("exited with code 7", "about to crash with 7");
    assertThat(slow.orTimeout(20, TimeUnit.SECONDS).join().get("steps").asInt()).isEqualTo(30);
    assertThat(run(e, ECHO, json("value", "next")).get("value").asText()).isEqualTo("next");
    assertThat(e.processStats().crashes()).isEqualTo(1);
    await().atMost(Duration.ofSeconds(10)).until(() -> e.processStats().alive() == 2);
  }

  @Test
  void aChildKilledByASignalSaysWhich() throws Exception {
    ProcessExecutor e = start(python());
    Throwable t = failure(e.execute(SIGNAL, json("signal", 9), new TestContext()));
    assertThat(t).isInstanceOf(ChildCrashedException.class).hasMessageContaining("signal 9");
    assertThat(((ChildCrashedException) t).signal()).hasValue(9);
    assertThat(run(e, ECHO, json("value", 1)).get("value").asInt()).isEqualTo(1);
  }

  @Test
  void aMemoryHogIsStoppedByTheAddressSpaceLimit() throws Exception {
    ProcessExecutor e = start(python().maxMemory(300L << 20));
    Throwable t = failure(e.execute(HOG, json("mb", 1024), new TestContext()));
    assertThat(t)
        .isInstanceOf(MemoryLimitExceededException.class)
        .hasMessageContaining("memory limit of 300 MiB");
    assertThat(run(e, ECHO, json("value", 1)).get("value").asInt()).isEqualTo(1);
    assertThat(run(e, HOG, json("mb", 32)).get("held").asInt()).isEqualTo(32);
    assertThat(e.processStats().memoryKills()).isEqualTo(1);
  }

  @Test
  void aMemoryHogIsStoppedByTheResidentMemoryWatchdog() throws Exception {
    ProcessExecutor e =
        start(python().maxResidentMemory(150L << 20).watchdogInterval(Duration.ofMillis(50)));
    Throwable t = failure(e.execute(HOG, json("mb", 2048), new TestContext()));
    assertThat(t)
        .isInstanceOf(MemoryLimitExceededException.class)
        .hasMessageContaining("resident set reached");
    assertThat(run(e, ECHO, json("value", 1)).get("value").asInt()).isEqualTo(1);
  }

  @Test
  void cancelReachesTheChildWhichStopsAndStaysInThePool() throws Exception {
    ProcessExecutor e = start(python());
    long pid = run(e, ECHO, json()).get("pid").asLong();
    TestContext ctx = new TestContext();
    CompletableFuture<JsonNode> f = e.execute(COOPERATIVE, json(), ctx);
    await().atMost(Duration.ofSeconds(10)).until(() -> !ctx.progress.isEmpty());
    assertThat(f.cancel(true)).isTrue();
    // The child stops its loop (it does not get killed) and is free again.
    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> e.children().get(0).state() == ChildState.IDLE);
    int seen = ctx.progress.size();
    assertThat(e.children().get(0).pid()).isEqualTo(pid);
    assertThat(e.children().get(0).tasksRun()).isEqualTo(2);
    assertThat(ctx.progress.size()).isEqualTo(seen);
    assertThat(run(e, ECHO, json()).get("pid").asLong()).isEqualTo(pid);
  }

  @Test
  void cancelOfATaskThatIgnoresItKillsTheChildAfterTheGrace() throws Exception {
    ProcessExecutor e = start(python().cancelGrace(Duration.ofMillis(300)));
    long pid = run(e, ECHO, json()).get("pid").asLong();
    CompletableFuture<JsonNode> f = e.execute(RUNAWAY, json(), new TestContext());
    await().atMost(Duration.ofSeconds(5)).until(() -> e.processStats().busy() == 1);
    f.cancel(true);
    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false) == false);
    assertThat(run(e, ECHO, json()).get("pid").asLong()).isNotEqualTo(pid);
    assertThat(e.processStats().timeouts()).isZero();
  }

  @Test
  void executeRefusesAtOnceWhenTheQueueIsFull() throws Exception {
    ProcessExecutor e = start(python().queueCapacity(1));
    CompletableFuture<JsonNode> running = e.execute(COOPERATIVE, json(), new TestContext());
    CompletableFuture<JsonNode> queued = e.execute(ECHO, json("value", "q"), new TestContext());
    assertThat(e.stats().queued()).isEqualTo(1);
    long start = System.nanoTime();
    assertThatThrownBy(() -> e.execute(ECHO, json(), new TestContext()))
        .isInstanceOf(QueueFullException.class)
        .hasMessageContaining("queued=1/1");
    assertThat(System.nanoTime() - start).isLessThan(TimeUnit.MILLISECONDS.toNanos(500));
    running.cancel(true);
    assertThat(queued.orTimeout(20, TimeUnit.SECONDS).join().get("value").asText()).isEqualTo("q");
  }

  @Test
  void childrenAreRecycledAfterNTasks() throws Exception {
    ProcessExecutor e = start(python().recycleAfter(2));
    List<Long> pids = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      pids.add(run(e, ECHO, json()).get("pid").asLong());
    }
    assertThat(pids.get(0)).isEqualTo(pids.get(1));
    assertThat(pids.get(2)).isEqualTo(pids.get(3)).isNotEqualTo(pids.get(1));
    assertThat(pids.get(4)).isNotEqualTo(pids.get(3));
    assertThat(e.processStats().recycled()).isEqualTo(2);
    assertThat(e.processStats().crashes()).isZero();
    await()
        .atMost(Duration.ofSeconds(5))
        .until(
            () -> ProcessHandle.of(pids.get(0)).map(ProcessHandle::isAlive).orElse(false) == false);
  }

  @Test
  void aTaskErrorCarriesItsTypeTracebackAndStderr() throws Exception {
    ProcessExecutor e = start(python());
    Throwable t = failure(e.execute(FAIL, json("value", 42), new TestContext()));
    assertThat(t).isInstanceOf(ChildTaskException.class);
    ChildTaskException c = (ChildTaskException) t;
    assertThat(c.errorType()).isEqualTo("ValueError");
    assertThat(c.getMessage()).contains("bad value: 42");
    assertThat(c.detail()).contains("Traceback", "raise ValueError");
    assertThat(c.stderr())
        .contains("stderr line from the failing task", "a print() on stdout must not break");
    assertThat(run(e, ECHO, json("value", 3)).get("value").asInt()).isEqualTo(3);
  }

  @Test
  void anUnknownTaskFailsWithTaskNotFound() throws Exception {
    ProcessExecutor e = start(python());
    Throwable t = catchFailure(e.execute(task("nope"), json(), new TestContext()));
    assertThat(t).isInstanceOf(TaskNotFoundException.class).hasMessageContaining("echo");
  }

  @Test
  void aMissingExecutableFailsWithChildStartException() throws Exception {
    ProcessExecutor e =
        ProcessExecutor.command("/nonexistent/worker")
            .size(1)
            .crashBackoff(Duration.ofMillis(10), Duration.ofMillis(50))
            .build();
    executors.add(e);
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(() ->
            assertThat(catchFailure(e.execute(ECHO, json(), new TestContext())))
                .isInstanceOf(ChildStartException.class)
                .hasMessageContaining("/nonexistent/worker"));
  }

  @Test
  void aCrashLoopBacksOff() throws Exception {
    ProcessExecutor e =
        ProcessExecutor.command(
                "python3", "-c", "import sys; print('boom', file=sys.stderr); sys.exit(5)")
            .size(1)
            .crashBackoff(Duration.ofMillis(200), Duration.ofSeconds(5))
            .build();
    executors.add(e);
    await().atMost(Duration.ofSeconds(10)).until(() -> e.processStats().crashes() >= 3);
    Throwable t = catchFailure(e.execute(ECHO, json(), new TestContext()));
    assertThat(t)
        .isInstanceOf(ChildStartException.class)
        .hasMessageContaining("exit code 5", "boom");
    // Backoff: 0, 200, 400, 800 ms... so over 2 s there are few restarts, not hundreds.
    await()
        .during(Duration.ofSeconds(2))
        .atMost(Duration.ofSeconds(3))
        .until(() -> e.processStats().crashes() <= 7);
    assertThat(e.processStats().crashes()).isBetween(3L, 7L);
  }

  @Test
  void aSilentChildIsKilledWhenItsHeartbeatStops() throws Exception {
    String silent =
        "import json,sys,time\n"
            + "print(json.dumps({'type':'ready','pid':0,'tasks':['echo']}), flush=True)\n"
            + "for line in sys.stdin:\n"
            + "    time.sleep(60)\n";
    ProcessExecutor e =
        start(
            ProcessExecutor.command("python3", "-c", silent)
                .size(1)
                .heartbeat(Duration.ofMillis(100), Duration.ofMillis(700))
                .watchdogInterval(Duration.ofMillis(50)));
    Throwable t = failure(e.execute(ECHO, json(), new TestContext()));
    assertThat(t).isInstanceOf(ChildCrashedException.class).hasMessageContaining("no heartbeat");
  }

  @Test
  void closeStopsTakingWorkAndTheChildrenExit() throws Exception {
    ProcessExecutor e = start(python().size(2));
    CompletableFuture<JsonNode> inFlight =
        e.execute(COOPERATIVE, json("steps", 20), new TestContext());
    List<Long> pids = e.children().stream().map(ChildInfo::pid).toList();
    e.close();
    assertThatThrownBy(() -> e.execute(ECHO, json(), new TestContext()))
        .isInstanceOf(ShuttingDownException.class);
    assertThat(inFlight.orTimeout(20, TimeUnit.SECONDS).join().get("steps").asInt()).isEqualTo(20);
    assertThat(e.awaitTermination(Duration.ofSeconds(10))).isTrue();
    assertThat(pids)
        .allSatisfy(p ->
            assertThat(ProcessHandle.of(p).map(ProcessHandle::isAlive).orElse(false)).isFalse());
    assertThat(e.processStats().crashes()).isZero();
  }

  static Throwable catchFailure(CompletableFuture<?> f) {
    return failure(f);
  }
}
