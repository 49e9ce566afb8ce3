package dev.offload.examples.seed;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.offload.Job;
import dev.offload.JobId;
import dev.offload.JobSpec;
import dev.offload.JobState;
import dev.offload.Offload;
import dev.offload.Task;
import dev.offload.TaskRegistry;
import dev.offload.demo.DemoTasks;
import dev.offload.server.ClientDisconnects;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.io.UncheckedIOException;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;

/**
 * The well-known FastAPI answer ("How to do multiprocessing in FastAPI") rebuilt on Offload, with
 * the same routes and the same JSON:
 *
 * <ul>
 *   <li>{@code GET /{param}}: runs {@code cpu_bound_func(param)} on the CPU pool and waits: {@code
 *       {"result": n}}.
 *   <li>{@code POST /new_cpu_bound_task/{param}}: {@code 202 {"uid": "…", "status": "in_progress",
 *       "result": null}} at once; the work runs as a background job.
 *   <li>{@code GET /status/{uid}}: {@code {"uid": "…", "status": "in_progress" | "complete",
 *       "result": n}} ({@code "failed"} if the job failed, which the original cannot report).
 * </ul>
 *
 * <p>Path parameters are validated the way FastAPI does (422 with pydantic's {@code detail} list),
 * and an unknown uid is FastAPI's {@code 404 {"detail": "Not Found"}} (the original answers a 500).
 */
public final class SeedApi implements AutoCloseable {
  /** The function the original runs in a process pool: burns {@code param} ms of CPU time. */
  public record Param(long param) {}

  public static final Task<Param, Long> CPU_BOUND_FUNC =
      Task.of(
          "cpu_bound_func",
          "Burns param milliseconds of CPU time; returns the loop count",
          Param.class,
          Long.class,
          (in, ctx) -> DemoTasks.spin(in.param(), ctx));

  /**
   * The largest {@code param} accepted (ms of CPU): the original has no bound, so one request could
   * hold a core for as long as it likes.
   */
  public static final long MAX_PARAM = 60_000;

  private static final ObjectMapper JSON = new ObjectMapper();

  private final Offload offload;
  private final WebServer server;
  private final ClientDisconnects disconnects = new ClientDisconnects();

  private SeedApi(Offload offload, String host, int port) {
    this.offload = offload;
    this.server =
        WebServer.builder()
            .host(host)
            .port(port)
            .routing(r ->
                r.get("/status/{uid}", this::status)
                    .post("/new_cpu_bound_task/{param}", this::newTask)
                    .get("/{param}", this::handler))
            .build();
  }

  /** The tasks this example registers; give them to the Offload that backs it. */
  public static TaskRegistry tasks() {
    return TaskRegistry.of(CPU_BOUND_FUNC);
  }

  /** Starts the example on {@code host:port} in front of {@code offload} (port 0: any free one). */
  public static SeedApi start(Offload offload, String host, int port) {
    SeedApi api = new SeedApi(offload, host, port);
    api.server.start();
    return api;
  }

  public int port() {
    return server.port();
  }

  // @app.get("/{param}")
  private void handler(ServerRequest req, ServerResponse res) throws InterruptedException {
    Optional<Long> param = integer(req, "param", res);
    if (param.isEmpty()) {
      return;
    }
    long result;
    try {
      // Cancelled (the core freed at once) when the client leaves before the answer.
      result = disconnects.await(req, offload.runAsync(CPU_BOUND_FUNC, new Param(param.get())));
    } catch (CancellationException e) {
      res.status(Status.create(499, "Client Closed Request")).send();
      return;
    } catch (ExecutionException e) {
      throw e.getCause() instanceof RuntimeException r
          ? r
          : new IllegalStateException(e.getCause());
    }
    ObjectNode body = JSON.createObjectNode();
    body.put("result", result);
    send(res, 200, body);
  }

  // @app.post("/new_cpu_bound_task/{param}", status_code=HTTPStatus.ACCEPTED)
  private void newTask(ServerRequest req, ServerResponse res) {
    Optional<Long> param = integer(req, "param", res);
    if (param.isEmpty()) {
      return;
    }
    Job job = offload.submit(JobSpec.of(CPU_BOUND_FUNC.name(), new Param(param.get())));
    send(res, 202, view(job));
  }

  // @app.get("/status/{uid}")
  private void status(ServerRequest req, ServerResponse res) {
    String uid = req.path().pathParameters().get("uid");
    UUID parsed;
    try {
      parsed = UUID.fromString(uid);
    } catch (IllegalArgumentException e) {
      send(res, 422, validationError("uid", "value is not a valid uuid", "type_error.uuid"));
      return;
    }
    Optional<Job> job = offload.findJob(new JobId(parsed));
    if (job.isEmpty()) {
      send(res, 404, JSON.createObjectNode().put("detail", "Not Found"));
      return;
    }
    send(res, 200, view(job.get()));
  }

  /** The original's {@code Job} model: uid, status, result. */
  private static ObjectNode view(Job job) {
    ObjectNode body = JSON.createObjectNode();
    body.put("uid", job.id().toString());
    if (job.state() == JobState.SUCCEEDED) {
      body.put("status", "complete");
      body.put("result", Long.parseLong(job.result()));
    } else {
      body.put("status", job.state().isTerminal() ? "failed" : "in_progress");
      body.putNull("result");
    }
    return body;
  }

  private static Optional<Long> integer(ServerRequest req, String name, ServerResponse res) {
    String text = req.path().pathParameters().get(name);
    long value;
    try {
      value = Long.parseLong(text);
    } catch (NumberFormatException e) {
      send(res, 422, validationError(name, "value is not a valid integer", "type_error.integer"));
      return Optional.empty();
    }
    // What FastAPI answers for Path(ge=0, le=MAX_PARAM).
    if (value < 0) {
      send(
          res,
          422,
          validationError(
              name,
              "ensure this value is greater than or equal to 0",
              "value_error.number.not_ge"));
      return Optional.empty();
    }
    if (value > MAX_PARAM) {
      send(
          res,
          422,
          validationError(
              name,
              "ensure this value is less than or equal to " + MAX_PARAM,
              "value_error.number.not_le"));
      return Optional.empty();
    }
    return Optional.of(value);
  }

  /** FastAPI's (pydantic 1) answer to a path parameter of the wrong type. */
  private static ObjectNode validationError(String param, String msg, String type) {
    ObjectNode body = JSON.createObjectNode();
    ObjectNode item = body.putArray("detail").addObject();
    item.putArray("loc").add("path").add(param);
    item.put("msg", msg);
    item.put("type", type);
    return body;
  }

  private static void send(ServerResponse res, int status, ObjectNode body) {
    res.status(status);
    res.header(HeaderNames.CONTENT_TYPE, "application/json");
    try {
      res.send(JSON.writeValueAsBytes(body));
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Stops the HTTP server; the Offload stays with its owner. */
  @Override
  public void close() {
    server.stop();
    disconnects.close();
  }

  /** {@code java -cp … dev.offload.examples.seed.SeedApi [port]}: in-memory jobs, all cores. */
  public static void main(String[] args) throws InterruptedException {
    int port = args.length > 0 ? Integer.parseInt(args[0]) : 8000;
    Offload offload = Offload.builder().tasks(tasks()).build();
    SeedApi api = start(offload, "127.0.0.1", port);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(() -> {
              api.close();
              offload.close();
            }));
    System.out.println("seed API on http://127.0.0.1:" + api.port());
    Thread.currentThread().join();
  }
}
