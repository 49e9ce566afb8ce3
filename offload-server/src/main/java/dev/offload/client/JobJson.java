package dev.offload.client;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.offload.Backoff;
import dev.offload.Job;
import dev.offload.JobAttempt;
import dev.offload.JobError;
import dev.offload.JobId;
import dev.offload.JobState;
import dev.offload.Progress;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The JSON form of a job on the wire, written by the server and read by {@link OffloadClient}, so
 * both sides agree field by field. States use their wire names ({@code "queued"}); times are
 * ISO-8601 instants, durations ISO-8601 durations; {@code input} and {@code result} are embedded
 * JSON values. An error's {@code detail} (a stack trace) is never sent.
 *
 * <pre>{@code
 * ObjectNode json = JobJson.write(job);
 * Job back = JobJson.read(json);
 * }</pre>
 */
public final class JobJson {
  private static final ObjectMapper MAPPER = mapper();
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private JobJson() {}

  /** A mapper with the settings the wire format uses (ISO times, no timestamps). */
  public static ObjectMapper mapper() {
    return new ObjectMapper()
        .registerModule(new JavaTimeModule())
        .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
        .disable(SerializationFeature.WRITE_DURATIONS_AS_TIMESTAMPS);
  }

  /** The job as the HTTP API shows it. */
  public static ObjectNode write(Job job) {
    ObjectNode n = NODES.objectNode();
    n.put("id", job.id().toString());
    n.put("task", job.task());
    n.put("queue", job.queue());
    n.put("state", job.state().wireName());
    n.put("priority", job.priority());
    n.set("input", parse(job.input()));
    n.set("result", job.result() == null ? NODES.nullNode() : parse(job.result()));
    if (job.error() == null) {
      n.putNull("error");
    } else {
      ObjectNode e = n.putObject("error");
      e.put("type", job.error().type());
      e.put("message", job.error().message());
    }
    if (job.progress() == null) {
      n.putNull("progress");
    } else {
      ObjectNode p = n.putObject("progress");
      p.put("fraction", job.progress().fraction());
      p.put("message", job.progress().message());
    }
    n.put("attempts", job.attempts());
    n.put("maxAttempts", job.maxAttempts());
    ObjectNode b = n.putObject("backoff");
    b.put("initial", job.backoff().initial().toString());
    b.put("max", job.backoff().max().toString());
    n.put("timeout", job.timeout() == null ? null : job.timeout().toString());
    n.put("idempotencyKey", job.idempotencyKey());
    n.put("createdAt", text(job.createdAt()));
    n.put("runAt", text(job.runAt()));
    n.put("startedAt", text(job.startedAt()));
    n.put("finishedAt", text(job.finishedAt()));
    n.put("leaseOwner", job.leaseOwner());
    n.put("leaseExpiresAt", text(job.leaseExpiresAt()));
    ArrayNode history = n.putArray("history");
    for (JobAttempt a : job.history()) {
      ObjectNode h = history.addObject();
      h.put("attempt", a.attempt());
      h.put("worker", a.worker());
      h.put("startedAt", text(a.startedAt()));
      h.put("endedAt", text(a.endedAt()));
      h.put("outcome", a.outcome());
      if (a.error() == null) {
        h.putNull("error");
      } else {
        ObjectNode e = h.putObject("error");
        e.put("type", a.error().type());
        e.put("message", a.error().message());
      }
    }
    return n;
  }

  /**
   * Reads what {@link #write} wrote.
   *
   * @throws IllegalArgumentException when a required field is missing or malformed
   */
  public static Job read(JsonNode n) {
    try {
      JsonNode backoff = n.path("backoff");
      Backoff b =
          backoff.isObject()
              ? new Backoff(
                  Duration.parse(backoff.path("initial").asText()),
                  Duration.parse(backoff.path("max").asText()))
              : Backoff.DEFAULT;
      JsonNode error = n.path("error");
      JsonNode progress = n.path("progress");
      return new Job(
          JobId.parse(required(n, "id")),
          required(n, "task"),
          required(n, "queue"),
          JobState.fromWireName(required(n, "state")),
          n.path("priority").asInt(0),
          MAPPER.writeValueAsString(
              n.path("input").isMissingNode() ? NODES.nullNode() : n.get("input")),
          n.path("result").isMissingNode() || n.path("result").isNull()
              ? null
              : MAPPER.writeValueAsString(n.get("result")),
          error.isObject()
              ? new JobError(error.path("type").asText(), error.path("message").asText(), null)
              : null,
          progress.isObject()
              ? new Progress(
                  progress.path("fraction").asDouble(),
                  progress.path("message").isTextual() ? progress.get("message").asText() : null)
              : null,
          n.path("attempts").asInt(0),
          n.path("maxAttempts").asInt(1),
          b,
          duration(n.path("timeout")),
          textOrNull(n.path("idempotencyKey")),
          Instant.parse(required(n, "createdAt")),
          Instant.parse(required(n, "runAt")),
          instant(n.path("startedAt")),
          instant(n.path("finishedAt")),
          textOrNull(n.path("leaseOwner")),
          instant(n.path("leaseExpiresAt")),
          0,
          0,
          history(n.path("history")));
    } catch (JsonProcessingException | RuntimeException e) {
      throw new IllegalArgumentException("not a job: " + e.getMessage(), e);
    }
  }

  private static List<JobAttempt> history(JsonNode n) {
    List<JobAttempt> attempts = new ArrayList<>();
    for (JsonNode a : n) {
      JsonNode e = a.path("error");
      attempts.add(
          new JobAttempt(
              a.path("attempt").asInt(),
              textOrNull(a.path("worker")),
              instant(a.path("startedAt")),
              instant(a.path("endedAt")),
              a.path("outcome").asText(),
              e.isObject()
                  ? new JobError(e.path("type").asText(), e.path("message").asText(), null)
                  : null));
    }
    return attempts;
  }

  /** Parses stored JSON text; text that is not JSON comes back as a JSON string. */
  public static JsonNode parse(String json) {
    try {
      return MAPPER.readTree(json);
    } catch (JsonProcessingException e) {
      return NODES.textNode(json);
    }
  }

  private static String required(JsonNode n, String field) {
    JsonNode v = n.get(field);
    if (v == null || v.isNull()) {
      throw new IllegalArgumentException("missing field '" + field + "'");
    }
    return v.asText();
  }

  private static String text(Instant t) {
    return t == null ? null : t.toString();
  }

  private static String textOrNull(JsonNode n) {
    return n.isTextual() ? n.asText() : null;
  }

  private static Instant instant(JsonNode n) {
    return n.isTextual() ? Instant.parse(n.asText()) : null;
  }

  private static Duration duration(JsonNode n) {
    return n.isTextual() ? Duration.parse(n.asText()) : null;
  }
}
