package dev.offload.client;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.offload.Job;
import dev.offload.JobId;
import dev.offload.JobQuery;
import dev.offload.JobSpec;
import dev.offload.JobState;
import dev.offload.Page;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.StringJoiner;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * A Java client for the Offload HTTP API (java.net.http and Jackson only). Thread-safe; one per
 * server. Errors come as {@link OffloadHttpException} (with the problem's status and type), or
 * {@link ServerUnreachableException} when there is no answer.
 *
 * <pre>{@code
 * try (OffloadClient client = OffloadClient.create("http://127.0.0.1:8080")) {
 *   JsonNode out = client.run("spin", Map.of("ms", 20));
 *   Job job = client.submit(JobSpec.of("spin", Map.of("ms", 200)));
 *   Job done = client.await(job.id(), Duration.ofSeconds(30));
 * }
 * }</pre>
 */
public final class OffloadClient implements AutoCloseable {
  private final URI base;
  private final HttpClient http;
  private final ObjectMapper mapper = JobJson.mapper();
  private final Duration requestTimeout;
  private final String authorization;

  private OffloadClient(Builder b) {
    String text = b.base.toString();
    this.base = URI.create(text.endsWith("/") ? text.substring(0, text.length() - 1) : text);
    HttpClient.Builder http =
        HttpClient.newBuilder()
            .connectTimeout(b.connectTimeout)
            .version(HttpClient.Version.HTTP_1_1);
    if (b.sslContext != null) {
      http.sslContext(b.sslContext);
    }
    this.http = http.build();
    this.requestTimeout = b.requestTimeout;
    this.authorization = b.token == null ? null : "Bearer " + b.token;
  }

  private HttpRequest.Builder authorized(HttpRequest.Builder request) {
    return authorization == null ? request : request.header("Authorization", authorization);
  }

  /** A client for the server at {@code baseUrl} with default time limits. */
  public static OffloadClient create(String baseUrl) {
    return builder(URI.create(baseUrl)).build();
  }

  public static Builder builder(URI baseUrl) {
    return new Builder(baseUrl);
  }

  /** {@link #builder(URI)} from text. */
  public static Builder builder(String baseUrl) {
    return new Builder(URI.create(baseUrl));
  }

  public URI baseUrl() {
    return base;
  }

  // ---- offload and wait -------------------------------------------------------------------

  /** {@code POST /tasks/{task}/run}: runs the task now and returns its output. */
  public JsonNode run(String task, Object input) {
    return run(task, input, null);
  }

  /** {@link #run} with a time limit (504 past it; the work is cancelled). */
  public JsonNode run(String task, Object input, Duration timeout) {
    String query = timeout == null ? "" : "?timeout=" + timeout;
    JsonNode body = send("POST", "/tasks/" + encode(task) + "/run" + query, input, null);
    return body.get("result");
  }

  /** {@code POST /tasks/{task}/map}: runs the task over every input; outputs in input order. */
  public List<JsonNode> map(String task, List<?> inputs) {
    JsonNode body = send("POST", "/tasks/" + encode(task) + "/map", inputs, null);
    List<JsonNode> out = new ArrayList<>();
    body.get("results").forEach(out::add);
    return out;
  }

  // ---- jobs -------------------------------------------------------------------------------

  /** {@code POST /jobs}. */
  public Job submit(JobSpec spec) {
    ObjectNode body = mapper.createObjectNode();
    body.put("task", spec.task());
    body.set("input", mapper.valueToTree(spec.input()));
    if (spec.queue() != null) {
      body.put("queue", spec.queue());
    }
    if (spec.priority() != 0) {
      body.put("priority", spec.priority());
    }
    if (spec.delay() != null) {
      body.put("delay", spec.delay().toString());
    }
    if (spec.runAt() != null) {
      body.put("runAt", spec.runAt().toString());
    }
    if (spec.maxAttempts() != null) {
      body.put("maxAttempts", spec.maxAttempts());
    }
    if (spec.timeout() != null) {
      body.put("timeout", spec.timeout().toString());
    }
    if (spec.idempotencyKey() != null) {
      body.put("idempotencyKey", spec.idempotencyKey());
    }
    if (spec.backoff() != null) {
      ObjectNode b = body.putObject("backoff");
      b.put("initial", spec.backoff().initial().toString());
      b.put("max", spec.backoff().max().toString());
    }
    return JobJson.read(send("POST", "/jobs", body, null));
  }

  /** {@code GET /jobs/{id}}. */
  public Job job(JobId id) {
    return JobJson.read(send("GET", "/jobs/" + id, null, null));
  }

  /**
   * {@code GET /jobs/{id}/result?wait=}: the job once it is terminal, or as it is when {@code wait}
   * runs out (at most 5 minutes per call).
   */
  public Job result(JobId id, Duration wait) {
    String query = wait == null || wait.isZero() ? "" : "?wait=" + wait;
    Duration limit = wait == null ? requestTimeout : requestTimeout.plus(wait);
    return JobJson.read(send("GET", "/jobs/" + id + "/result" + query, null, limit));
  }

  /** Long-polls until the job is terminal or {@code timeout} passes; returns the job as it is. */
  public Job await(JobId id, Duration timeout) {
    Instant deadline = Instant.now().plus(timeout);
    Job job = job(id);
    while (!job.state().isTerminal()) {
      Duration left = Duration.between(Instant.now(), deadline);
      if (left.isNegative() || left.isZero()) {
        break;
      }
      job = result(id, left.compareTo(Duration.ofSeconds(30)) > 0 ? Duration.ofSeconds(30) : left);
    }
    return job;
  }

  /** {@code POST /jobs/{id}/cancel}. */
  public Job cancel(JobId id) {
    return JobJson.read(send("POST", "/jobs/" + id + "/cancel", null, null));
  }

  /** {@code POST /jobs/{id}/retry}: a failed or cancelled job back in its queue. */
  public Job retry(JobId id) {
    return JobJson.read(send("POST", "/jobs/" + id + "/retry", null, null));
  }

  /** {@code DELETE /jobs/{id}}. */
  public void delete(JobId id) {
    send("DELETE", "/jobs/" + id, null, null);
  }

  /** {@code GET /jobs?state=&task=&queue=&limit=&cursor=}. */
  public Page<Job> jobs(JobQuery query) {
    StringJoiner q = new StringJoiner("&", "?", "");
    q.setEmptyValue("");
    if (!query.states().isEmpty()) {
      q.add(
          "state="
              + String.join(
                  ",", query.states().stream().map(JobState::wireName).sorted().toList()));
    }
    if (query.task() != null) {
      q.add("task=" + encode(query.task()));
    }
    if (query.queue() != null) {
      q.add("queue=" + encode(query.queue()));
    }
    q.add("limit=" + query.limit());
    if (query.cursor() != null) {
      q.add("cursor=" + encode(query.cursor()));
    }
    JsonNode body = send("GET", "/jobs" + q, null, null);
    List<Job> items = new ArrayList<>();
    body.get("items").forEach(n -> items.add(JobJson.read(n)));
    JsonNode next = body.get("nextCursor");
    return new Page<>(items, next == null || next.isNull() ? null : next.asText());
  }

  // ---- instance ---------------------------------------------------------------------------

  /** {@code GET /stats}: counts per state and queue, running jobs, workers, pool load. */
  public JsonNode stats() {
    return send("GET", "/stats", null, null);
  }

  /** {@code GET /tasks}. */
  public List<TaskInfo> tasks() {
    List<TaskInfo> out = new ArrayList<>();
    for (JsonNode t : send("GET", "/tasks", null, null).get("tasks")) {
      out.add(
          new TaskInfo(
              t.path("name").asText(),
              t.path("description").asText(""),
              t.get("inputSchema"),
              t.get("outputSchema")));
    }
    return out;
  }

  /** {@code GET /health/ready}: whether the server takes work and its store answers. */
  public boolean isReady() {
    try {
      send("GET", "/health/ready", null, null);
      return true;
    } catch (ServerUnreachableException e) {
      return false;
    } catch (OffloadHttpException e) {
      if (e.status() == 503) {
        return false;
      }
      throw e;
    }
  }

  /**
   * Follows {@code GET /events} ({@code job} may be {@code null} for all jobs) on a background
   * thread; each event's JSON goes to {@code listener}. The returned future completes when the
   * stream ends (for one job: after its terminal state); cancel it to stop.
   */
  public CompletableFuture<Void> events(JobId job, Consumer<JsonNode> listener) {
    HttpRequest request =
        authorized(HttpRequest.newBuilder(uri("/events" + (job == null ? "" : "?job=" + job))))
            .header("Accept", "text/event-stream")
            .GET()
            .build();
    CompletableFuture<HttpResponse<InputStream>> response =
        http.sendAsync(request, HttpResponse.BodyHandlers.ofInputStream());
    CompletableFuture<Void> done = new CompletableFuture<>();
    response.whenComplete((res, error) -> {
      if (error != null) {
        done.completeExceptionally(
            new ServerUnreachableException("no answer from " + base + ": " + error, error));
        return;
      }
      if (res.statusCode() != 200) {
        try (InputStream in = res.body()) {
          done.completeExceptionally(failure(res.statusCode(), in.readAllBytes()));
        } catch (IOException e) {
          done.completeExceptionally(e);
        }
        return;
      }
      Thread reader =
          Thread.ofVirtual()
              .name("offload-client-events")
              .start(() -> readEvents(res.body(), listener, done));
      done.whenComplete((v, e) -> {
        if (done.isCancelled()) {
          reader.interrupt();
          try {
            res.body().close();
          } catch (IOException ignored) {
            // closing is best effort: the stream is being abandoned
          }
        }
      });
    });
    return done;
  }

  private void readEvents(
      InputStream body, Consumer<JsonNode> listener, CompletableFuture<Void> done) {
    try (BufferedReader reader =
        new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8))) {
      StringBuilder data = new StringBuilder();
      String line;
      while ((line = reader.readLine()) != null && !done.isDone()) {
        if (line.isEmpty()) {
          if (!data.isEmpty()) {
            listener.accept(mapper.readTree(data.toString()));
            data.setLength(0);
          }
        } else if (line.startsWith("data:")) {
          data.append(line.substring(line.startsWith("data: ") ? 6 : 5));
        }
      }
      done.complete(null);
    } catch (IOException e) {
      done.completeExceptionally(e);
    }
  }

  @Override
  public void close() {
    http.close();
  }

  // ---- plumbing ---------------------------------------------------------------------------

  private JsonNode send(String method, String path, Object body, Duration timeout) {
    HttpRequest.Builder b =
        authorized(HttpRequest.newBuilder(uri(path)))
            .timeout(timeout == null ? requestTimeout : timeout)
            .header("Accept", "application/json");
    if (body == null) {
      b.method(method, HttpRequest.BodyPublishers.noBody());
    } else {
      b.header("Content-Type", "application/json");
      b.method(method, HttpRequest.BodyPublishers.ofByteArray(json(body)));
    }
    HttpResponse<byte[]> res;
    try {
      res = http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
    } catch (IOException e) {
      throw new ServerUnreachableException(
          "no answer from " + base + " (" + method + " " + path + "): " + describe(e), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ServerUnreachableException("interrupted while calling " + base, e);
    }
    if (res.statusCode() >= 400) {
      throw failure(res.statusCode(), res.body());
    }
    if (res.body().length == 0) {
      return mapper.nullNode();
    }
    try {
      return mapper.readTree(res.body());
    } catch (IOException e) {
      throw new OffloadHttpException(res.statusCode(), null, "answer is not JSON", null);
    }
  }

  private static String describe(IOException e) {
    String m = e.getMessage();
    if (e instanceof java.net.ConnectException) {
      return "connection refused" + (m == null ? "" : " (" + m + ")");
    }
    if (e instanceof java.net.http.HttpTimeoutException) {
      return "timed out";
    }
    return m == null ? e.getClass().getSimpleName() : m;
  }

  private OffloadHttpException failure(int status, byte[] body) {
    try {
      JsonNode problem = mapper.readTree(body);
      if (problem != null && problem.isObject()) {
        return new OffloadHttpException(
            status,
            problem.path("type").isTextual() ? problem.get("type").asText() : null,
            problem.path("detail").asText(problem.path("title").asText("")),
            problem);
      }
    } catch (IOException e) {
      // fall through: not JSON
    }
    return new OffloadHttpException(
        status, null, new String(body, StandardCharsets.UTF_8).strip(), null);
  }

  private byte[] json(Object body) {
    try {
      return body instanceof JsonNode n
          ? mapper.writeValueAsBytes(n)
          : mapper.writeValueAsBytes(body);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  private URI uri(String path) {
    return URI.create(base + path);
  }

  private static String encode(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
  }

  /**
   * A task as {@code GET /tasks} lists it.
   *
   * @param name the task name
   * @param description one line
   * @param inputSchema a JSON schema of its input
   * @param outputSchema a JSON schema of its output
   */
  public record TaskInfo(
      String name, String description, JsonNode inputSchema, JsonNode outputSchema) {}

  /** Configures an {@link OffloadClient}. */
  public static final class Builder {
    private final URI base;
    private Duration connectTimeout = Duration.ofSeconds(5);
    private Duration requestTimeout = Duration.ofMinutes(5);
    private String token;
    private javax.net.ssl.SSLContext sslContext;

    private Builder(URI base) {
      this.base = Objects.requireNonNull(base, "baseUrl");
    }

    /** How long to wait for a connection (default 5 s). */
    public Builder connectTimeout(Duration timeout) {
      this.connectTimeout = Objects.requireNonNull(timeout, "connectTimeout");
      return this;
    }

    /** How long to wait for an answer (default 5 min: {@code run} may compute for long). */
    public Builder requestTimeout(Duration timeout) {
      this.requestTimeout = Objects.requireNonNull(timeout, "requestTimeout");
      return this;
    }

    /** The API token sent as {@code Authorization: Bearer TOKEN} (default: none). */
    public Builder token(String apiToken) {
      Objects.requireNonNull(apiToken, "token");
      if (apiToken.isBlank() || apiToken.chars().anyMatch(c -> c < 0x21 || c > 0x7e)) {
        throw new IllegalArgumentException("token must be printable ASCII without spaces");
      }
      this.token = apiToken;
      return this;
    }

    /** The TLS context for {@code https} servers (default: the JDK's, trusting its CA store). */
    public Builder sslContext(javax.net.ssl.SSLContext context) {
      this.sslContext = Objects.requireNonNull(context, "sslContext");
      return this;
    }

    public OffloadClient build() {
      return new OffloadClient(this);
    }
  }
}
