package dev.offload.process.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.offload.InvalidInputException;
import dev.offload.JobId;
import dev.offload.Task;
import dev.offload.TaskContext;
import dev.offload.TaskRegistry;
import dev.offload.spi.TaskProvider;
import java.io.BufferedOutputStream;
import java.io.BufferedReader;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.Semaphore;

/**
 * The main class of a Java child process: loads the tasks of every {@link TaskProvider} on the
 * class path (or only the providers named with {@code --providers a.B,c.D}), says {@code ready},
 * then runs one attempt at a time on a task thread while the main thread keeps reading stdin, so a
 * {@code cancel} can reach a running task (flag + interrupt).
 *
 * <p>The protocol owns the real stdout; {@code System.out} is pointed at stderr so a task's prints
 * land in the attempt's log instead of corrupting the protocol.
 */
public final class JavaChildMain {
  private final ObjectMapper mapper = Protocol.defaultMapper();
  private final OutputStream out;
  private final TaskRegistry registry;
  private final BufferedReader in =
      new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8), 64 * 1024);
  private final Semaphore readerRole = new Semaphore(1);
  private volatile Running running;

  private record Running(String id, Ctx ctx, Thread thread) {}

  private JavaChildMain(OutputStream out, TaskRegistry registry) {
    this.out = out;
    this.registry = registry;
  }

  public static void main(String[] args) throws Exception {
    OutputStream protocolOut =
        new BufferedOutputStream(new FileOutputStream(FileDescriptor.out), 64 * 1024);
    System.setOut(System.err);
    Thread.setDefaultUncaughtExceptionHandler((t, e) -> {
      if (e instanceof OutOfMemoryError) {
        System.err.println("offload child: " + e + " in thread " + t.getName());
        Runtime.getRuntime().halt(3);
      }
      e.printStackTrace();
    });
    JavaChildMain child = new JavaChildMain(protocolOut, registry(args));
    child.serve();
  }

  private static TaskRegistry registry(String[] args) {
    Set<String> only = Set.of();
    for (int i = 0; i < args.length; i++) {
      if (args[i].equals("--providers") && i + 1 < args.length) {
        only = Set.copyOf(Arrays.asList(args[++i].split(",")));
      }
    }
    TaskRegistry.Builder b = TaskRegistry.builder();
    for (ServiceLoader.Provider<TaskProvider> p :
        ServiceLoader.load(TaskProvider.class).stream().toList()) {
      if (only.isEmpty() || only.contains(p.type().getName())) {
        b.registerAll(p.get().tasks());
      }
    }
    return b.build();
  }

  private void serve() throws IOException {
    ObjectNode ready = message(Protocol.READY);
    ready.put("pid", ProcessHandle.current().pid());
    List<String> names = new ArrayList<>();
    registry.all().forEach(t -> names.add(t.name()));
    ready.set("tasks", mapper.valueToTree(names));
    write(ready);
    startHeartbeat();
    Thread.ofPlatform().name("offload-task-2").start(this::loop);
    loop();
  }

  /**
   * Leader/follower: two threads take turns holding the reader role. The one that reads a {@code
   * run} hands the role to the other (which then watches stdin for {@code cancel}) and runs the
   * task itself, so no thread hand-off sits between a request and its task.
   */
  private void loop() {
    while (true) {
      readerRole.acquireUninterruptibly();
      JsonNode run;
      Running mine = null;
      try {
        run = readUntilRun();
        if (run != null) {
          Ctx ctx = new Ctx(Protocol.text(run, "id"), run);
          mine = new Running(ctx.id, ctx, Thread.currentThread());
          running = mine; // before the role passes on, so the next reader can cancel it
        }
      } finally {
        readerRole.release();
      }
      if (mine == null) {
        // The parent closed our stdin: it is gone or gave up on us; nothing we compute is used.
        Runtime.getRuntime().halt(0);
        return;
      }
      Thread.interrupted(); // a cancel meant for an earlier attempt must not hit this one
      runTask(mine.id, Protocol.text(run, "task"), run.get("input"), mine.ctx);
    }
  }

  /** Reads messages, handling cancel and shutdown, until a run arrives (or null at EOF). */
  private JsonNode readUntilRun() {
    try {
      String line;
      while ((line = in.readLine()) != null) {
        if (line.isBlank()) {
          continue;
        }
        JsonNode m = mapper.readTree(line);
        String type = Protocol.text(m, "type");
        if (Protocol.RUN.equals(type)) {
          return m;
        } else if (Protocol.CANCEL.equals(type)) {
          Running r = running;
          if (r != null && r.id.equals(Protocol.text(m, "id"))) {
            r.ctx.cancelled = true;
            r.thread.interrupt();
          }
        } else if (Protocol.SHUTDOWN.equals(type)) {
          System.exit(0);
        }
      }
      return null;
    } catch (IOException e) {
      return null;
    }
  }

  private void runTask(String id, String taskName, JsonNode input, Ctx ctx) {
    Task<?, ?> task = registry.find(taskName).orElse(null);
    if (task == null) {
      error(id, Protocol.ERR_UNKNOWN_TASK, "no task '" + taskName + "' in this child", null);
      return;
    }
    try {
      Object output = call(task, input, ctx);
      running = null;
      ObjectNode r = message(Protocol.RESULT);
      r.put("id", id);
      r.set("output", mapper.valueToTree(output));
      write(r);
    } catch (OutOfMemoryError e) {
      error(id, Protocol.ERR_MEMORY, "java heap: " + e.getMessage(), null);
      System.err.println("offload child: " + e + "; exiting");
      Runtime.getRuntime().halt(3);
    } catch (Throwable e) {
      running = null;
      if (ctx.cancelled
          && (e instanceof CancellationException || e instanceof InterruptedException)) {
        error(id, Protocol.ERR_CANCELLED, "stopped on request", null);
      } else if (e instanceof InvalidInputException) {
        error(id, Protocol.ERR_INVALID_INPUT, String.valueOf(e.getMessage()), trace(e));
      } else {
        error(id, e.getClass().getName(), String.valueOf(e.getMessage()), trace(e));
      }
    }
  }

  private <I, O> O call(Task<I, O> task, JsonNode input, TaskContext ctx) throws Exception {
    I in;
    try {
      in = mapper.treeToValue(input, task.inputType());
    } catch (JsonProcessingException | IllegalArgumentException e) {
      throw new InvalidInputException("input", e.getMessage(), e);
    }
    return task.run(in, ctx);
  }

  private void error(String id, String type, String message, String detail) {
    ObjectNode e = message(Protocol.ERROR);
    e.put("id", id);
    e.put("errorType", type);
    e.put("message", message);
    e.put("detail", detail);
    write(e);
  }

  private void startHeartbeat() {
    long ms = Long.parseLong(System.getenv().getOrDefault(Protocol.ENV_HEARTBEAT_MS, "1000"));
    ObjectNode beat = message(Protocol.HEARTBEAT);
    Thread.ofPlatform()
        .daemon()
        .name("offload-heartbeat")
        .start(() -> {
          while (true) {
            try {
              Thread.sleep(ms);
            } catch (InterruptedException e) {
              return;
            }
            write(beat);
          }
        });
  }

  private ObjectNode message(String type) {
    ObjectNode n = mapper.createObjectNode();
    n.put("type", type);
    return n;
  }

  private void write(ObjectNode message) {
    try {
      byte[] b = mapper.writeValueAsBytes(message);
      synchronized (out) {
        out.write(b);
        out.write('\n');
        out.flush();
      }
    } catch (IOException e) {
      Runtime.getRuntime().halt(0); // the parent is gone
    }
  }

  private static String trace(Throwable t) {
    StringWriter w = new StringWriter();
    t.printStackTrace(new PrintWriter(w));
    return w.toString();
  }

  private final class Ctx implements TaskContext {
    private final JobId jobId;
    private final int attempt;
    private final Instant deadline;
    private final String id;
    volatile boolean cancelled;
    private long lastProgressNanos;

    Ctx(String id, JsonNode m) {
      this.id = id;
      JobId parsed;
      try {
        parsed = JobId.parse(Protocol.text(m, "job"));
      } catch (InvalidInputException e) {
        parsed = JobId.newId(Instant.now());
      }
      this.jobId = parsed;
      this.attempt = m.path("attempt").asInt(1);
      JsonNode d = m.get("deadline");
      this.deadline = d == null || d.isNull() ? null : Instant.ofEpochMilli(d.asLong());
    }

    @Override
    public JobId jobId() {
      return jobId;
    }

    @Override
    public int attempt() {
      return attempt;
    }

    @Override
    public Optional<Instant> deadline() {
      return Optional.ofNullable(deadline);
    }

    @Override
    public void progress(double fraction, String message) {
      long now = System.nanoTime();
      if (fraction < 1 && now - lastProgressNanos < 50_000_000L) {
        return; // coalesce: at most 20 updates a second reach the parent
      }
      lastProgressNanos = now;
      ObjectNode p = message(Protocol.PROGRESS);
      p.put("id", id);
      p.put("fraction", fraction);
      p.put("message", message);
      write(p);
    }

    @Override
    public boolean isCancelled() {
      return cancelled;
    }
  }
}
