package dev.offload.process.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.offload.InvalidInputException;
import dev.offload.QueueFullException;
import dev.offload.ShuttingDownException;
import dev.offload.Task;
import dev.offload.TaskContext;
import dev.offload.TaskNotFoundException;
import dev.offload.process.ChildInfo;
import dev.offload.process.ChildStartException;
import dev.offload.process.ChildState;
import dev.offload.process.ProcessPoolStats;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The supervisor of a fixed number of child-process slots.
 *
 * <p>Design: one lock guards all pool state (slots, idle children, the bounded queue, attempt
 * states); nothing slow happens under it (no pipe writes, no process starts, no waiting). Events
 * arrive from three kinds of threads: callers ({@code execute}, {@code cancel}), each child's
 * stdout reader (messages, exit), and one timer thread (time limits, respawns with backoff, the
 * watchdog). Every attempt ends exactly once: whoever moves it to {@code DONE} under the lock
 * completes its future, after the lock is released. A result completes on the child's reader
 * thread, after the child's next attempt was dispatched: a hop to another thread would cost more
 * than the protocol's whole round trip (see BENCHMARKS.md). Kills complete once the process is
 * gone, on a virtual thread.
 *
 * <p>A slot is refilled as soon as its child is killed or retired, and after a backoff when its
 * child crashed on its own (growing with consecutive crashes, reset by a finished task).
 */
public final class ChildPool {
  private static final Logger LOG = LoggerFactory.getLogger(ChildPool.class);

  final PoolSettings s;
  final ReentrantLock lock = new ReentrantLock();
  final Condition changed = lock.newCondition();
  final Spawner.Slot[] slots;
  final ArrayDeque<Attempt<?, ?>> queue = new ArrayDeque<>();
  final ArrayDeque<Child> idle = new ArrayDeque<>();
  final Set<Child> alive = new LinkedHashSet<>();
  final ScheduledThreadPoolExecutor timer;
  private final AtomicLong ids = new AtomicLong();
  final Failures failures;
  final Spawner spawner = new Spawner(this);
  final Limits limits = new Limits(this);
  volatile List<String> knownTasks = List.of();

  boolean closed;
  boolean terminated;
  int consecutiveStartFailures;
  String lastStartProblem = "";
  long spawns;
  long tasksRun;
  long crashes;
  long timeouts;
  long memoryKills;
  long recycled;

  public ChildPool(PoolSettings settings) {
    this.s = settings;
    this.failures = new Failures(settings);
    this.timer =
        new ScheduledThreadPoolExecutor(
            1, Thread.ofPlatform().daemon().name("offload-" + s.name() + "-timer").factory());
    timer.setRemoveOnCancelPolicy(true);
    this.slots = new Spawner.Slot[s.size()];
    lock.lock();
    try {
      for (int i = 0; i < slots.length; i++) {
        slots[i] = new Spawner.Slot(i);
        spawner.scheduleSpawnLocked(slots[i], Duration.ZERO);
      }
    } finally {
      lock.unlock();
    }
    long tick = s.watchdogInterval().toNanos();
    timer.scheduleWithFixedDelay(limits::watchdog, tick, tick, TimeUnit.NANOSECONDS);
  }

  // ---- callers --------------------------------------------------------------------------------

  public <I, O> CompletableFuture<O> execute(Task<I, O> task, I input, TaskContext context) {
    Objects.requireNonNull(task, "task");
    Objects.requireNonNull(context, "context");
    JsonNode json;
    try {
      json = s.mapper().valueToTree(input);
    } catch (IllegalArgumentException e) {
      return CompletableFuture.failedFuture(
          new InvalidInputException("input", "cannot be written as JSON: " + e.getMessage(), e));
    }
    List<String> known = knownTasks;
    if (!known.isEmpty() && !known.contains(task.name())) {
      return CompletableFuture.failedFuture(new TaskNotFoundException(task.name(), known));
    }
    Attempt<I, O> a =
        new Attempt<>(Long.toString(ids.incrementAndGet()), task, json, context, this);
    Child child;
    lock.lock();
    try {
      if (closed) {
        throw new ShuttingDownException("process pool '" + s.name() + "' is closed");
      }
      if (spawner.hopelessLocked()) {
        return CompletableFuture.failedFuture(
            new ChildStartException(
                "process pool '" + s.name() + "' cannot start children: " + lastStartProblem,
                null));
      }
      child = idle.pollLast();
      if (child != null) {
        assignLocked(child, a);
      } else if (queue.size() >= s.queueCapacity()) {
        throw new QueueFullException(
            "process pool '" + s.name() + "' is full (" + Snapshots.describeLocked(this) + ")",
            Duration.ofSeconds(1));
      } else {
        queue.addLast(a);
      }
    } finally {
      lock.unlock();
    }
    if (child != null) {
      send(child, a);
    }
    return a.future;
  }

  /** Called by the attempt's future once it is cancelled. */
  void cancel(Attempt<?, ?> a) {
    Child child = null;
    lock.lock();
    try {
      switch (a.state) {
        case QUEUED -> {
          queue.remove(a);
          a.state = Attempt.State.DONE;
        }
        case RUNNING -> {
          a.state = Attempt.State.CANCELLING;
          a.cancelledByCaller = true;
          child = a.child;
          child.state = ChildState.CANCELLING;
          a.graceTimer = schedule(() -> limits.graceOver(a), s.cancelGrace());
        }
        case CANCELLING -> a.cancelledByCaller = true; // the soft limit already asked it to stop
        case DONE -> {}
      }
    } finally {
      lock.unlock();
    }
    if (child != null) {
      child.send(Protocol.cancel(s.mapper(), a.id));
    }
  }

  // ---- children's messages --------------------------------------------------------------------

  void onMessage(Child c, JsonNode m) {
    String type = Protocol.text(m, "type");
    switch (type) {
      case Protocol.READY -> onReady(c, m);
      case Protocol.HEARTBEAT -> {}
      case Protocol.PROGRESS -> onProgress(c, m);
      case Protocol.RESULT -> onFinished(c, Protocol.text(m, "id"), m.get("output"), null);
      case Protocol.ERROR -> onFinished(c, Protocol.text(m, "id"), null, m);
      default -> LOG.warn("child {}: ignoring a message of unknown type: {}", c.pid, m);
    }
  }

  private void onReady(Child c, JsonNode m) {
    List<String> tasks = new ArrayList<>();
    JsonNode t = m.get("tasks");
    if (t != null && t.isArray()) {
      t.forEach(n -> tasks.add(n.asText()));
    }
    Attempt<?, ?> next;
    List<Attempt<?, ?>> unknown = new ArrayList<>();
    lock.lock();
    try {
      if (c.state != ChildState.STARTING) {
        return;
      }
      c.ready = true;
      c.tasks = List.copyOf(tasks);
      if (!tasks.isEmpty()) {
        knownTasks = c.tasks;
      }
      if (c.startupTimer != null) {
        c.startupTimer.cancel(false);
      }
      consecutiveStartFailures = 0;
      next = nextLocked(c, unknown);
      changed.signalAll();
    } finally {
      lock.unlock();
    }
    LOG.debug("child {} ready in slot {} with tasks {}", c.pid, c.slot, tasks);
    afterRelease(c, next, unknown);
  }

  private void onProgress(Child c, JsonNode m) {
    Attempt<?, ?> a;
    lock.lock();
    try {
      a = c.current;
      if (a == null || a.state != Attempt.State.RUNNING || !a.id.equals(Protocol.text(m, "id"))) {
        return;
      }
    } finally {
      lock.unlock();
    }
    double f = m.path("fraction").asDouble(0);
    double fraction = Double.isNaN(f) ? 0 : Math.max(0, Math.min(1, f));
    try {
      a.context.progress(fraction, Protocol.text(m, "message"));
    } catch (RuntimeException e) {
      // Progress is advisory: a failing listener must not cost the attempt or its child.
      LOG.warn("{}: the progress listener failed; ignoring it", a, e);
    }
  }

  private void onFinished(Child c, String id, JsonNode output, JsonNode error) {
    Attempt<?, ?> a;
    Attempt<?, ?> next = null;
    List<Attempt<?, ?>> unknown = new ArrayList<>();
    boolean deliver;
    boolean memory = error != null && Protocol.ERR_MEMORY.equals(Protocol.text(error, "errorType"));
    lock.lock();
    try {
      a = c.current;
      if (a == null || !a.id.equals(id) || a.state == Attempt.State.DONE) {
        LOG.debug("child {}: ignoring an answer for attempt {} it no longer runs", c.pid, id);
        return;
      }
      deliver = !a.cancelledByCaller;
      a.state = Attempt.State.DONE;
      a.cancelTimers();
      c.current = null;
      c.tasksRun++;
      tasksRun++;
      slots[c.slot].crashes = 0;
      if (memory) {
        memoryKills++; // the child says it ran out; it exits by itself, make sure of it
        spawner.killLocked(c, "reported it ran out of memory");
      } else if (c.state == ChildState.BUSY || c.state == ChildState.CANCELLING) {
        if (s.recycleAfter() > 0 && c.tasksRun >= s.recycleAfter()) {
          recycled++;
          spawner.retireLocked(c);
        } else {
          next = nextLocked(c, unknown);
        }
      }
    } finally {
      lock.unlock();
    }
    // Dispatch first: the child starts its next attempt while this one's caller is woken.
    afterRelease(c, next, unknown);
    if (deliver) {
      if (error != null) {
        // A failure carries the attempt's stderr: let the reader catch up with what came first.
        c.settleStderr(200);
      }
      String err = c.stderr.since(a.stderrMark);
      Attempt<?, ?> done = a;
      Runnable finish = () -> failures.complete(done, c.pid, output, error, err);
      if (memory) {
        c.process
            .onExit()
            .completeOnTimeout(c.process, 5, TimeUnit.SECONDS)
            .whenComplete((p, x) -> Thread.ofVirtual().start(finish));
      } else {
        // On this reader thread: a hop to another thread costs more than the whole protocol
        // round trip. Callers with heavy callbacks use the *Async variants.
        finish.run();
      }
    }
  }

  /** Sends what the lock decided for a child that just became free. */
  private void afterRelease(Child c, Attempt<?, ?> next, List<Attempt<?, ?>> unknown) {
    for (Attempt<?, ?> u : unknown) {
      u.future.completeExceptionally(new TaskNotFoundException(u.task.name(), c.tasks));
    }
    if (next != null) {
      send(c, next);
    } else if (c.state == ChildState.RETIRING) {
      c.send(Protocol.shutdown(s.mapper()));
    }
  }

  /** The next attempt for a free child, or idles or retires it. */
  Attempt<?, ?> nextLocked(Child c, List<Attempt<?, ?>> unknown) {
    Attempt<?, ?> n;
    while ((n = queue.pollFirst()) != null) {
      if (c.tasks.isEmpty() || c.tasks.contains(n.task.name())) {
        assignLocked(c, n);
        return n;
      }
      n.state = Attempt.State.DONE;
      unknown.add(n);
    }
    if (closed) {
      spawner.retireLocked(c);
    } else {
      c.state = ChildState.IDLE;
      idle.addLast(c);
    }
    return null;
  }

  void onExit(Child c, int exitCode) {
    Attempt<?, ?> a = null;
    List<Attempt<?, ?>> hopeless = List.of();
    lock.lock();
    try {
      alive.remove(c);
      idle.remove(c);
      if (c.startupTimer != null) {
        c.startupTimer.cancel(false);
      }
      Attempt<?, ?> cur = c.current;
      if (cur != null && cur.state != Attempt.State.DONE) {
        cur.state = Attempt.State.DONE;
        cur.cancelTimers();
        a = cur.cancelledByCaller ? null : cur;
      }
      c.state = ChildState.KILLED;
      if (!c.exitExpected) {
        crashes++;
        Spawner.Slot slot = slots[c.slot];
        slot.crashes++;
        if (!c.ready) {
          consecutiveStartFailures++;
          lastStartProblem =
              (c.killReason != null ? c.killReason : "a child exited before it was ready")
                  + " ("
                  + Failures.describeExit(exitCode)
                  + "); stderr: "
                  + lastLine(c.stderr.tail());
          hopeless = spawner.drainIfHopelessLocked();
        }
        spawner.releaseSlotLocked(c, spawner.backoff(slot.crashes));
        if (a != null && s.javaChild() && exitCode == 3) {
          memoryKills++;
        }
      }
      if (closed && alive.isEmpty()) {
        terminateLocked();
      }
      changed.signalAll();
    } finally {
      lock.unlock();
    }
    LOG.atLevel(c.exitExpected ? org.slf4j.event.Level.DEBUG : org.slf4j.event.Level.WARN)
        .log("child {} in slot {} exited ({})", c.pid, c.slot, Failures.describeExit(exitCode));
    if (a != null) {
      a.future.completeExceptionally(failures.died(a, c, exitCode));
    }
    spawner.failStart(hopeless);
  }

  private void assignLocked(Child c, Attempt<?, ?> a) {
    c.state = ChildState.BUSY;
    c.current = a;
    a.child = c;
    a.state = Attempt.State.RUNNING;
    a.stderrMark = c.stderr.position();
    if (s.softTimeLimit() != null) {
      a.softTimer = schedule(() -> limits.softLimit(a), s.softTimeLimit());
    }
    Duration hard = effectiveHardLimit();
    if (hard != null) {
      a.hardTimer = schedule(() -> limits.hardLimit(a, hard), hard);
    }
  }

  Duration effectiveHardLimit() {
    if (s.hardTimeLimit() != null) {
      return s.hardTimeLimit();
    }
    return s.softTimeLimit() == null ? null : s.softTimeLimit().plus(s.cancelGrace());
  }

  private void send(Child c, Attempt<?, ?> a) {
    Instant deadline = a.context.deadline().orElse(null);
    Duration hard = effectiveHardLimit();
    if (hard != null) {
      Instant byLimit = Instant.now().plus(hard);
      deadline = deadline == null || byLimit.isBefore(deadline) ? byLimit : deadline;
    }
    String job = String.valueOf(a.context.jobId());
    c.send(
        Protocol.run(s.mapper(), a.id, a.task.name(), job, a.input, a.context.attempt(), deadline));
  }

  java.util.concurrent.ScheduledFuture<?> schedule(Runnable r, Duration delay) {
    return timer.schedule(r, delay.toNanos(), TimeUnit.NANOSECONDS);
  }

  static String lastLine(String text) {
    String t = text.strip();
    int nl = t.lastIndexOf('\n');
    return nl < 0 ? t : t.substring(nl + 1);
  }

  // ---- lifecycle and views --------------------------------------------------------------------

  /** Waits until every slot holds a ready child. */
  public boolean awaitReady(Duration timeout) throws InterruptedException {
    long left = timeout.toNanos();
    lock.lock();
    try {
      while (!allReadyLocked()) {
        if (left <= 0) {
          return false;
        }
        left = changed.awaitNanos(left);
      }
      return true;
    } finally {
      lock.unlock();
    }
  }

  private boolean allReadyLocked() {
    for (Spawner.Slot slot : slots) {
      if (slot.child == null || !slot.child.ready) {
        return false;
      }
    }
    return true;
  }

  /** Stops taking work; queued and running attempts finish, then the children exit. */
  public void close() {
    List<Child> retiring = new ArrayList<>();
    lock.lock();
    try {
      if (closed) {
        return;
      }
      closed = true;
      for (Child c : List.copyOf(idle)) {
        spawner.retireLocked(c);
        retiring.add(c);
      }
      for (Child c : alive) {
        if (c.state == ChildState.STARTING && queue.isEmpty()) {
          c.exitExpected = true;
          c.state = ChildState.KILLED;
          c.kill();
        }
      }
      if (alive.isEmpty()) {
        terminateLocked();
      }
    } finally {
      lock.unlock();
    }
    retiring.forEach(c -> c.send(Protocol.shutdown(s.mapper())));
  }

  /** Fails queued and running attempts, kills every child. */
  public void shutdownNow() {
    List<Attempt<?, ?>> failed = new ArrayList<>();
    lock.lock();
    try {
      closed = true;
      failed.addAll(queue);
      queue.clear();
      for (Child c : List.copyOf(alive)) {
        Attempt<?, ?> a = c.current;
        if (a != null && a.state != Attempt.State.DONE) {
          a.cancelTimers();
          failed.add(a);
        }
        spawner.killLocked(c, "the pool is shutting down");
      }
      failed.forEach(a -> a.state = Attempt.State.DONE);
      if (alive.isEmpty()) {
        terminateLocked();
      }
    } finally {
      lock.unlock();
    }
    for (Attempt<?, ?> a : failed) {
      a.future.completeExceptionally(
          new ShuttingDownException("process pool '" + s.name() + "' was shut down"));
    }
  }

  /** Waits until every child has exited after {@link #close} or {@link #shutdownNow}. */
  public boolean awaitTermination(Duration timeout) throws InterruptedException {
    long left = timeout.toNanos();
    lock.lock();
    try {
      while (!terminated) {
        if (left <= 0) {
          return false;
        }
        left = changed.awaitNanos(left);
      }
      return true;
    } finally {
      lock.unlock();
    }
  }

  void terminateLocked() {
    terminated = true;
    changed.signalAll();
    timer.shutdown();
  }

  public int size() {
    return s.size();
  }

  public int queueCapacity() {
    return s.queueCapacity();
  }

  public ProcessPoolStats stats() {
    return Snapshots.stats(this);
  }

  public List<ChildInfo> children() {
    return Snapshots.children(this);
  }
}
