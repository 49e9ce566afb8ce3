package dev.offload.server.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.offload.InvalidInputException;
import dev.offload.Job;
import dev.offload.JobCounts;
import dev.offload.JobId;
import dev.offload.JobNotFoundException;
import dev.offload.JobQuery;
import dev.offload.JobSpec;
import dev.offload.JobState;
import dev.offload.Offload;
import dev.offload.Page;
import dev.offload.Task;
import dev.offload.TaskTimeoutException;
import dev.offload.WorkerInfo;
import dev.offload.client.JobJson;
import dev.offload.server.Problem;
import dev.offload.server.ProblemException;
import dev.offload.server.ProblemType;
import dev.offload.spi.TaskExecutor;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** The API's handlers: tasks, jobs, stats, health. Events live in {@link EventRoutes}. */
public final class ApiRoutes {
  /** The longest {@code GET /jobs/{id}/result?wait=} may block. */
  public static final Duration MAX_RESULT_WAIT = Duration.ofMinutes(5);

  /** The most inputs one {@code POST /tasks/{name}/map} takes (a 1 MiB body holds 100,000). */
  public static final int MAX_MAP_INPUTS = 10_000;

  /** Most {@code run}/{@code map} calls finish within this; only slower ones watch the client. */
  private static final long FAST_PATH_MILLIS = 25;

  private final Offload offload;
  private final ObjectMapper mapper;
  private final Requests requests;
  private final ServerState state;
  private final ClientConnections connections;

  public ApiRoutes(
      Offload offload,
      ObjectMapper mapper,
      Requests requests,
      ServerState state,
      ClientConnections connections) {
    this.offload = offload;
    this.mapper = mapper;
    this.requests = requests;
    this.state = state;
    this.connections = connections;
  }

  public void register(RouteTable routes) {
    routes
        .get("/tasks", this::listTasks)
        .post("/tasks/{name}/run", this::run)
        .post("/tasks/{name}/map", this::map)
        .post("/jobs", this::submit)
        .get("/jobs", this::listJobs)
        .get("/jobs/{id}", this::getJob)
        .delete("/jobs/{id}", this::deleteJob)
        .get("/jobs/{id}/result", this::result)
        .post("/jobs/{id}/cancel", this::cancel)
        .post("/jobs/{id}/retry", this::retry)
        .get("/stats", this::stats)
        .get("/health/live", this::live)
        .get("/health/ready", this::ready);
  }

  // ---- offload and wait -------------------------------------------------------------------

  private void run(ServerRequest req, ServerResponse res) throws Exception {
    String task = Requests.pathParam(req, "name");
    Duration timeout = Requests.durationQuery(req, "timeout");
    if (timeout != null && timeout.isZero()) {
      throw Requests.badParameter("timeout", "must be positive");
    }
    JsonNode input = requests.jsonBody(req);
    checkInput(task, input, "input");
    CompletableFuture<JsonNode> future = offload.runJson(task, input, timeout);
    JsonNode output = await(req, future, task, timeout);
    ObjectNode body = mapper.createObjectNode();
    body.set("result", output);
    Http.sendJson(res, 200, body, mapper);
  }

  private void map(ServerRequest req, ServerResponse res) throws Exception {
    String task = Requests.pathParam(req, "name");
    Duration timeout = Requests.durationQuery(req, "timeout");
    if (timeout != null && timeout.isZero()) {
      throw Requests.badParameter("timeout", "must be positive");
    }
    JsonNode body = requests.jsonBody(req);
    if (!body.isArray()) {
      throw new ProblemException(
          Problem.of(ProblemType.INVALID_INPUT, "the body must be a JSON array of task inputs")
              .with("field", "body"));
    }
    if (body.size() > MAX_MAP_INPUTS) {
      throw new ProblemException(
          Problem.of(
                  ProblemType.INVALID_INPUT,
                  "at most "
                      + MAX_MAP_INPUTS
                      + " inputs a map, was "
                      + body.size()
                      + "; split the work or submit jobs")
              .with("field", "body"));
    }
    offload.tasks().get(task);
    List<JsonNode> inputs = new ArrayList<>(body.size());
    body.forEach(inputs::add);
    for (int i = 0; i < inputs.size(); i++) {
      checkInput(task, inputs.get(i), "input[" + i + "]");
    }
    List<JsonNode> outputs = await(req, offload.mapJson(task, inputs), task, timeout);
    ObjectNode out = mapper.createObjectNode();
    ArrayNode results = out.putArray("results");
    outputs.forEach(results::add);
    Http.sendJson(res, 200, out, mapper);
  }

  /**
   * Waits for {@code future}; cancels it when the client goes away or {@code timeout} (plus a
   * little, for the engine's own timeout to win) passes.
   */
  private <T> T await(ServerRequest req, CompletableFuture<T> future, String task, Duration timeout)
      throws Exception {
    try {
      return future.get(FAST_PATH_MILLIS, TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      // slow path below
    } catch (ExecutionException e) {
      throw rethrow(e);
    } catch (InterruptedException e) {
      future.cancel(true);
      throw e;
    }
    // The work runs on; the scanner cancels it if the client leaves, so no polling here.
    try (ClientConnections.Watch client = connections.watch(req, () -> future.cancel(true))) {
      try {
        return timeout == null
            ? future.get()
            : future.get(timeout.toNanos() + 1_000_000_000L, TimeUnit.NANOSECONDS);
      } catch (CancellationException e) {
        if (client.clientGone()) {
          throw new ClientGoneException();
        }
        throw e;
      } catch (TimeoutException e) {
        future.cancel(true);
        throw new TaskTimeoutException(task, timeout);
      } catch (ExecutionException e) {
        throw rethrow(e);
      } catch (InterruptedException e) {
        future.cancel(true);
        throw e;
      }
    }
  }

  private static Exception rethrow(ExecutionException e) {
    Throwable cause = Errors.unwrap(e);
    if (cause instanceof Exception ex) {
      return ex;
    }
    if (cause instanceof Error err) {
      throw err;
    }
    return e;
  }

  /**
   * The checks made before any work starts: no null input, strings a store can keep, the task's own
   * {@link dev.offload.InputRules}.
   */
  private void checkInput(String task, JsonNode input, String field) {
    if (input == null || input.isNull()) {
      throw new InvalidInputException(field, "null is not an input; send a JSON object");
    }
    TextChecks.check(input, field);
    offload.tasks().find(task).ifPresent(t -> t.inputRules().check(input, field));
  }

  // ---- jobs -------------------------------------------------------------------------------

  private void submit(ServerRequest req, ServerResponse res) {
    JsonNode body = requests.jsonBody(req);
    TextChecks.check(body, "");
    JobSpec spec = JobSpecs.parse(body);
    if (spec.input() instanceof JsonNode input) {
      offload.tasks().find(spec.task()).ifPresent(t -> t.inputRules().check(input));
    }
    Job job = offload.submit(spec);
    res.header(HeaderNames.LOCATION, "/jobs/" + job.id());
    Http.sendJson(res, 202, JobJson.write(job), mapper);
  }

  private void getJob(ServerRequest req, ServerResponse res) {
    Http.sendJson(res, 200, JobJson.write(offload.job(Requests.jobId(req))), mapper);
  }

  private void result(ServerRequest req, ServerResponse res) throws InterruptedException {
    JobId id = Requests.jobId(req);
    Duration wait = Requests.durationQuery(req, "wait");
    if (wait != null && wait.compareTo(MAX_RESULT_WAIT) > 0) {
      throw Requests.badParameter("wait", "at most " + MAX_RESULT_WAIT + ", was " + wait);
    }
    Job job = offload.job(id);
    if (!job.state().isTerminal() && wait != null && !wait.isZero()) {
      try (ClientConnections.Watch client = connections.watch(req)) {
        long deadline = System.nanoTime() + wait.toNanos();
        while (!job.state().isTerminal()) {
          long left = deadline - System.nanoTime();
          if (left <= 0 || state.isShuttingDown()) {
            break;
          }
          if (client.clientGone()) {
            throw new ClientGoneException();
          }
          job = offload.await(id, Duration.ofNanos(Math.min(left, 500_000_000L)));
        }
      }
    }
    if (!job.state().isTerminal()) {
      res.header(HeaderNames.RETRY_AFTER, "1");
    }
    Http.sendJson(res, job.state().isTerminal() ? 200 : 202, JobJson.write(job), mapper);
  }

  private void cancel(ServerRequest req, ServerResponse res) {
    Http.sendJson(res, 200, JobJson.write(offload.cancel(Requests.jobId(req))), mapper);
  }

  private void retry(ServerRequest req, ServerResponse res) {
    Http.sendJson(res, 200, JobJson.write(offload.retry(Requests.jobId(req))), mapper);
  }

  private void deleteJob(ServerRequest req, ServerResponse res) {
    JobId id = Requests.jobId(req);
    if (!offload.delete(id)) {
      throw new JobNotFoundException(id);
    }
    res.status(204);
    res.send();
  }

  private void listJobs(ServerRequest req, ServerResponse res) {
    Set<JobState> states = EnumSet.noneOf(JobState.class);
    if (req.query().contains("state")) {
      for (String value : req.query().all("state")) {
        for (String name : value.split(",")) {
          if (!name.isBlank()) {
            try {
              states.add(JobState.fromWireName(name.trim()));
            } catch (InvalidInputException e) {
              throw Requests.badParameter("state", e.getMessage());
            }
          }
        }
      }
    }
    int limit = Requests.intQuery(req, "limit", 50, 1, JobQuery.MAX_LIMIT);
    String cursor = Requests.query(req, "cursor");
    if (cursor != null && cursor.isBlank()) {
      cursor = null;
    }
    if (cursor != null) {
      try {
        JobId.parse(cursor);
      } catch (InvalidInputException e) {
        throw Requests.badParameter("cursor", "'" + cursor + "' is not a cursor from nextCursor");
      }
    }
    for (String name : List.of("task", "queue")) {
      try {
        TextChecks.check(Requests.query(req, name), name);
      } catch (InvalidInputException e) {
        throw Requests.badParameter(name, e.getMessage());
      }
    }
    JobQuery query =
        JobQuery.all()
            .states(states)
            .task(blankToNull(Requests.query(req, "task")))
            .queue(blankToNull(Requests.query(req, "queue")))
            .limit(limit)
            .cursor(cursor);
    Page<Job> page = offload.jobs(query);
    ObjectNode body = mapper.createObjectNode();
    ArrayNode items = body.putArray("items");
    page.items().forEach(j -> items.add(JobJson.write(j)));
    body.put("nextCursor", page.nextCursor());
    Http.sendJson(res, 200, body, mapper);
  }

  private static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s;
  }

  // ---- instance ---------------------------------------------------------------------------

  private void listTasks(ServerRequest req, ServerResponse res) {
    ObjectNode body = mapper.createObjectNode();
    ArrayNode tasks = body.putArray("tasks");
    for (Task<?, ?> t : offload.tasks().all()) {
      ObjectNode n = tasks.addObject();
      n.put("name", t.name());
      n.put("description", t.description());
      JsonNode schema = t.inputSchema().orElseGet(() -> TaskSchemas.of(t.inputType()));
      if (schema instanceof ObjectNode o && !t.inputRules().isEmpty()) {
        schema = t.inputRules().describe(o.deepCopy());
      }
      n.set("inputSchema", schema);
      n.set("outputSchema", t.outputSchema().orElseGet(() -> TaskSchemas.of(t.outputType())));
    }
    Http.sendJson(res, 200, body, mapper);
  }

  private void stats(ServerRequest req, ServerResponse res) {
    JobCounts counts = offload.counts();
    ObjectNode body = mapper.createObjectNode();
    ObjectNode jobs = body.putObject("jobs");
    long total = 0;
    for (Map.Entry<JobState, Long> e : counts.totals().entrySet()) {
      jobs.put(e.getKey().wireName(), e.getValue());
      total += e.getValue();
    }
    jobs.put("total", total);
    ObjectNode queues = body.putObject("queues");
    counts
        .byQueue()
        .forEach((queue, byState) -> {
          ObjectNode q = queues.putObject(queue);
          for (JobState s : JobState.values()) {
            q.put(s.wireName(), byState.getOrDefault(s, 0L));
          }
        });
    body.put("running", counts.total(JobState.RUNNING));
    ArrayNode workers = body.putArray("workers");
    for (WorkerInfo w : offload.workers()) {
      workers.add(mapper.valueToTree(w));
    }
    TaskExecutor.ExecutorStats pool = offload.poolStats();
    body.set("pool", mapper.valueToTree(pool));
    Http.sendJson(res, 200, body, mapper);
  }

  private void live(ServerRequest req, ServerResponse res) {
    Http.sendJson(res, 200, mapper.createObjectNode().put("status", "UP"), mapper);
  }

  private void ready(ServerRequest req, ServerResponse res) {
    ObjectNode body = mapper.createObjectNode();
    if (state.isShuttingDown()) {
      Http.sendJson(res, 503, body.put("status", "DOWN").put("reason", "shutting down"), mapper);
    } else if (!offload.isReady()) {
      Http.sendJson(
          res, 503, body.put("status", "DOWN").put("reason", "job store not answering"), mapper);
    } else {
      Http.sendJson(res, 200, body.put("status", "UP"), mapper);
    }
  }

  /** The client closed its connection while its request waited; nobody reads an answer. */
  public static final class ClientGoneException extends CancellationException {
    private static final long serialVersionUID = 1L;

    ClientGoneException() {
      super("client closed the connection");
    }
  }
}
