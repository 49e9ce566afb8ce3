package dev.offload.process.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.offload.process.ChildState;
import java.io.BufferedOutputStream;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One child process and its three pipes. Two platform threads per child: one reads protocol lines
 * from stdout and hands them to the pool, one drains stderr into a bounded tail (a child blocked on
 * a full stderr pipe would look hung). Writes to stdin are serialized by a lock of their own and
 * never happen under the pool's lock, so a slow child cannot stall the pool.
 *
 * <p>Fields without {@code final} are guarded by the pool's lock.
 */
final class Child {
  private static final Logger LOG = LoggerFactory.getLogger(Child.class);

  final int slot;
  final Process process;
  final long pid;
  final Instant startedAt = Instant.now();
  final StderrTail stderr;
  private final ObjectMapper mapper;
  private final ChildPool pool;
  private final OutputStream stdin;
  private final Object writeLock = new Object();
  private Thread stderrReader;
  volatile long lastMessageNanos = System.nanoTime();

  ChildState state = ChildState.STARTING;
  boolean ready;
  Attempt<?, ?> current;
  long tasksRun;
  List<String> tasks = List.of();

  /** We asked it to exit or killed it: its exit is not a crash. */
  boolean exitExpected;

  String killReason;
  ScheduledFuture<?> startupTimer;

  private Child(int slot, Process process, PoolSettings settings, ChildPool pool) {
    this.slot = slot;
    this.process = process;
    this.pid = process.pid();
    this.stderr = new StderrTail(settings.stderrTailBytes());
    this.mapper = settings.mapper();
    this.pool = pool;
    this.stdin = new BufferedOutputStream(process.getOutputStream(), 16 * 1024);
  }

  static Child spawn(int slot, PoolSettings settings, ChildPool pool) throws IOException {
    ProcessBuilder pb = new ProcessBuilder(settings.command());
    pb.environment().putAll(settings.environment());
    pb.environment().put(Protocol.ENV_PROTOCOL, Integer.toString(Protocol.VERSION));
    pb.environment()
        .put(Protocol.ENV_HEARTBEAT_MS, Long.toString(settings.heartbeatInterval().toMillis()));
    if (settings.workingDirectory() != null) {
      pb.directory(settings.workingDirectory().toFile());
    }
    return new Child(slot, pb.start(), settings, pool);
  }

  /** Starts the reader threads; called once the pool knows this child. */
  void startReaders(String poolName) {
    stderrReader =
        Thread.ofPlatform()
            .daemon()
            .name("offload-" + poolName + "-" + pid + "-err")
            .start(this::drainStderr);
    Thread.ofPlatform()
        .daemon()
        .name("offload-" + poolName + "-" + pid + "-out")
        .start(this::readStdout);
  }

  /**
   * Writes one message. Returns false when the pipe is closed: the child is dying, and its exit is
   * handled by the stdout reader, so the caller has nothing more to do.
   */
  boolean send(ObjectNode message) {
    try {
      byte[] line = mapper.writeValueAsBytes(message);
      synchronized (writeLock) {
        stdin.write(line);
        stdin.write('\n');
        stdin.flush();
      }
      return true;
    } catch (IOException e) {
      LOG.debug("child {}: could not send {}: {}", pid, message.get("type"), e.toString());
      return false;
    }
  }

  void kill() {
    ProcessTree.kill(process.toHandle());
  }

  private void readStdout() {
    try (BufferedReader in =
        new BufferedReader(
            new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8), 64 * 1024)) {
      String line;
      while ((line = in.readLine()) != null) {
        lastMessageNanos = System.nanoTime();
        if (line.isBlank()) {
          continue;
        }
        JsonNode message = parse(line);
        if (message == null) {
          stray(line);
        } else {
          dispatch(message);
        }
      }
    } catch (IOException e) {
      LOG.debug("child {}: stdout closed: {}", pid, e.toString());
    }
    pool.onExit(this, awaitExit());
  }

  private void dispatch(JsonNode message) {
    try {
      pool.onMessage(this, message);
    } catch (RuntimeException e) {
      // A message the pool cannot handle means the two sides no longer agree: replace the child.
      LOG.error("child {}: failed to handle {}; killing the child", pid, message, e);
      kill();
    }
  }

  private JsonNode parse(String line) {
    try {
      JsonNode n = mapper.readTree(line);
      return n != null && n.isObject() && n.hasNonNull("type") ? n : null;
    } catch (JsonProcessingException e) {
      return null;
    }
  }

  /** A line on stdout that is not a message: keep it with stderr so it is not lost. */
  private void stray(String line) {
    LOG.warn("child {}: ignoring a line on stdout that is not a protocol message: {}", pid, line);
    byte[] b = ("[stdout] " + line + "\n").getBytes(StandardCharsets.UTF_8);
    stderr.append(b, 0, b.length);
  }

  private int awaitExit() {
    try {
      if (!process.waitFor(2, TimeUnit.SECONDS)) {
        // It closed stdout but lives on: it can no longer speak the protocol.
        LOG.warn("child {}: closed stdout but did not exit; killing it", pid);
        kill();
        process.waitFor();
      }
      if (stderrReader != null) {
        stderrReader.join(1_000); // let the last words reach the tail
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      kill();
    }
    return process.isAlive() ? -1 : process.exitValue();
  }

  /**
   * Waits, at most {@code maxMillis}, for the stderr reader to catch up: until the tail has not
   * grown for 20 ms and the reader holds nothing unappended. The child flushes stderr before it
   * answers, so those bytes are in the pipe or already read; on a loaded machine the reader thread
   * may just not have run yet, and an error would then go out without its stderr. (Not {@code
   * available()} on the stream: the reader blocks in {@code read()} holding the stream's lock.)
   */
  void settleStderr(long maxMillis) {
    long start = System.nanoTime();
    long deadline = start + maxMillis * 1_000_000L;
    long seen = stderr.position();
    long quietSince = start;
    while (System.nanoTime() < deadline) {
      LockSupport.parkNanos(2_000_000);
      long now = stderr.position();
      if (now != seen || stderrAppending) {
        seen = now;
        quietSince = System.nanoTime();
      } else if (System.nanoTime() - quietSince >= 20_000_000L) {
        return;
      }
    }
  }

  /** Set while the reader holds bytes it read but has not appended yet. */
  private volatile boolean stderrAppending;

  private void drainStderr() {
    byte[] buf = new byte[8192];
    StringBuilder line = LOG.isDebugEnabled() ? new StringBuilder() : null;
    try (InputStream err = process.getErrorStream()) {
      int n;
      while ((n = err.read(buf)) > 0) {
        stderrAppending = true;
        stderr.append(buf, 0, n);
        stderrAppending = false;
        if (line != null) {
          logLines(line, new String(buf, 0, n, StandardCharsets.UTF_8));
        }
      }
    } catch (IOException e) {
      LOG.debug("child {}: stderr closed: {}", pid, e.toString());
    }
  }

  private void logLines(StringBuilder pending, String chunk) {
    pending.append(chunk);
    int nl;
    while ((nl = pending.indexOf("\n")) >= 0) {
      LOG.debug("child {} stderr: {}", pid, pending.substring(0, nl));
      pending.delete(0, nl + 1);
    }
  }

  @Override
  public String toString() {
    return "child " + pid + " (slot " + slot + ", " + state + ")";
  }
}
