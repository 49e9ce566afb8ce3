package dev.offload.server.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.offload.Backoff;
import dev.offload.InvalidInputException;
import dev.offload.JobSpec;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Iterator;
import java.util.Set;

/** Turns the body of {@code POST /jobs} into a {@link JobSpec}, naming the field that is wrong. */
public final class JobSpecs {
  static final Set<String> FIELDS =
      Set.of(
          "task",
          "input",
          "queue",
          "priority",
          "delay",
          "runAt",
          "maxAttempts",
          "timeout",
          "idempotencyKey",
          "backoff");

  /** The longest delay, timeout or backoff accepted, and how far ahead {@code runAt} may be. */
  static final Duration MAX_DURATION = Duration.ofDays(3650);

  private JobSpecs() {}

  /**
   * @throws InvalidInputException naming the field that does not fit
   */
  public static JobSpec parse(JsonNode body) {
    if (!body.isObject()) {
      throw new InvalidInputException(
          null,
          "the body must be a JSON object like {\"task\": \"spin\", \"input\": {\"ms\": 20}}");
    }
    for (Iterator<String> it = body.fieldNames(); it.hasNext(); ) {
      String name = it.next();
      if (!FIELDS.contains(name)) {
        throw new InvalidInputException(
            name, "unknown field; expected some of " + new java.util.TreeSet<>(FIELDS));
      }
    }
    JsonNode task = body.get("task");
    if (task == null || !task.isTextual() || task.asText().isBlank()) {
      throw new InvalidInputException("task", "a task name (string) is required");
    }
    JsonNode input = body.has("input") ? body.get("input") : JsonNodeFactory.instance.objectNode();
    if (input.isNull()) {
      throw new InvalidInputException(
          "input", "null is not an input; send a JSON object or leave the field out");
    }
    JobSpec spec = JobSpec.of(task.asText(), input);
    if (present(body, "queue")) {
      spec = spec.queue(text(body, "queue"));
    }
    if (present(body, "priority")) {
      spec = spec.priority(integer(body, "priority"));
    }
    if (present(body, "delay")) {
      spec = spec.delay(duration(body, "delay"));
    }
    if (present(body, "runAt")) {
      try {
        Instant runAt = Instant.parse(text(body, "runAt"));
        if (runAt.isAfter(Instant.now().plus(MAX_DURATION))) {
          throw new InvalidInputException(
              "runAt", "must be within " + MAX_DURATION.toDays() + " days");
        }
        spec = spec.runAt(runAt);
      } catch (DateTimeParseException e) {
        throw new InvalidInputException(
            "runAt", "not an ISO-8601 instant such as 2030-01-01T00:00:00Z");
      }
    }
    if (present(body, "maxAttempts")) {
      spec = spec.maxAttempts(integer(body, "maxAttempts"));
    }
    if (present(body, "timeout")) {
      spec = spec.timeout(duration(body, "timeout"));
    }
    if (present(body, "idempotencyKey")) {
      spec = spec.idempotencyKey(text(body, "idempotencyKey"));
    }
    if (present(body, "backoff")) {
      JsonNode b = body.get("backoff");
      if (!b.isObject()) {
        throw new InvalidInputException(
            "backoff", "expected {\"initial\": \"PT1S\", \"max\": \"PT5M\"}");
      }
      spec =
          spec.backoff(
              new Backoff(
                  duration(b, "initial", "backoff.initial"), duration(b, "max", "backoff.max")));
    }
    return spec;
  }

  private static boolean present(JsonNode body, String field) {
    return body.has(field) && !body.get(field).isNull();
  }

  private static String text(JsonNode body, String field) {
    JsonNode v = body.get(field);
    if (!v.isTextual()) {
      throw new InvalidInputException(
          field,
          "expected a string, got " + v.getNodeType().name().toLowerCase(java.util.Locale.ROOT));
    }
    return v.asText();
  }

  private static int integer(JsonNode body, String field) {
    JsonNode v = body.get(field);
    if (!v.isIntegralNumber() || !v.canConvertToInt()) {
      throw new InvalidInputException(field, "expected a whole number, got " + v);
    }
    return v.asInt();
  }

  private static Duration duration(JsonNode body, String field) {
    return duration(body, field, field);
  }

  /** A duration: ISO-8601 / short text, or a number of seconds. */
  private static Duration duration(JsonNode body, String field, String name) {
    JsonNode v = body.get(field);
    if (v == null || v.isNull()) {
      throw new InvalidInputException(name, "a duration is required");
    }
    Duration d;
    if (v.isNumber()) {
      double seconds = v.asDouble();
      d =
          Double.isFinite(seconds) && Math.abs(seconds) <= MAX_DURATION.toSeconds()
              ? Duration.ofNanos(Math.round(seconds * 1e9))
              : MAX_DURATION.plusDays(1);
    } else {
      d = v.isTextual() ? Requests.parseDuration(v.asText()) : null;
    }
    if (d == null) {
      throw new InvalidInputException(
          name, "not a duration: " + v + "; use ISO-8601 (\"PT5S\"), \"500ms\", \"5s\" or seconds");
    }
    if (d.compareTo(MAX_DURATION) > 0) {
      throw new InvalidInputException(name, "must be at most " + MAX_DURATION.toDays() + " days");
    }
    return d;
  }
}
