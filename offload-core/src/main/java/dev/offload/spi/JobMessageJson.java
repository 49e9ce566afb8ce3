package dev.offload.spi;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.offload.Backoff;
import dev.offload.InvalidInputException;
import dev.offload.JobId;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Iterator;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The broker message format (docs/BROKERS.md) to and from {@link JobMessage}. Strict like {@code
 * POST /jobs}: an unknown field or a wrong type is an error naming the field, because a message
 * that a foreign producer got wrong must be parked with a reason, not run with a guess.
 */
final class JobMessageJson {
  static final Set<String> FIELDS =
      Set.of(
          "id",
          "task",
          "input",
          "queue",
          "priority",
          "runAt",
          "delay",
          "maxAttempts",
          "backoff",
          "timeout",
          "idempotencyKey",
          "createdAt");
  private static final ObjectMapper MAPPER =
      new ObjectMapper().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
  private static final JsonFactory FACTORY = MAPPER.getFactory();
  private static final Pattern SHORT = Pattern.compile("(\\d+(?:\\.\\d+)?)(ms|s|m|h)");

  private JobMessageJson() {}

  static String write(JobMessage m) {
    StringWriter out = new StringWriter(128 + m.input().length());
    try (JsonGenerator g = FACTORY.createGenerator(out)) {
      g.writeStartObject();
      if (m.id() != null) {
        g.writeStringField("id", m.id().toString());
      }
      g.writeStringField("task", m.task());
      g.writeFieldName("input");
      g.writeRawValue(m.input());
      g.writeStringField("queue", m.queue());
      if (m.priority() != 0) {
        g.writeNumberField("priority", m.priority());
      }
      if (m.runAt() != null) {
        g.writeStringField("runAt", m.runAt().toString());
      }
      if (m.maxAttempts() != null) {
        g.writeNumberField("maxAttempts", m.maxAttempts());
      }
      if (m.backoff() != null) {
        g.writeObjectFieldStart("backoff");
        g.writeStringField("initial", m.backoff().initial().toString());
        g.writeStringField("max", m.backoff().max().toString());
        g.writeEndObject();
      }
      if (m.timeout() != null) {
        g.writeStringField("timeout", m.timeout().toString());
      }
      if (m.idempotencyKey() != null) {
        g.writeStringField("idempotencyKey", m.idempotencyKey());
      }
      if (m.createdAt() != null) {
        g.writeStringField("createdAt", m.createdAt().toString());
      }
      g.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toString();
  }

  static JobMessage read(byte[] body, String queue, Instant publishedAt) {
    JsonNode root;
    try {
      root = MAPPER.readTree(body);
    } catch (JsonProcessingException e) {
      throw new InvalidInputException(null, "not JSON: " + e.getOriginalMessage());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    if (root == null || !root.isObject()) {
      throw new InvalidInputException(
          null,
          "a job message is a JSON object like {\"task\": \"spin\", \"input\": {\"ms\": 20}}");
    }
    for (Iterator<String> it = root.fieldNames(); it.hasNext(); ) {
      String name = it.next();
      if (!FIELDS.contains(name)) {
        throw new InvalidInputException(
            name, "unknown field; expected some of " + new TreeSet<>(FIELDS));
      }
    }
    JobId id = present(root, "id") ? JobId.parse(text(root, "id")) : null;
    if (present(root, "queue") && !text(root, "queue").equals(queue)) {
      throw new InvalidInputException(
          "queue", "says '" + text(root, "queue") + "' but the message came from '" + queue + "'");
    }
    if (present(root, "runAt") && present(root, "delay")) {
      throw new InvalidInputException("delay", "give runAt or delay, not both");
    }
    Instant runAt = present(root, "runAt") ? instant(root, "runAt") : null;
    if (present(root, "delay")) {
      Duration delay = duration(root.get("delay"), "delay");
      if (delay.isNegative()) {
        throw new InvalidInputException("delay", "must not be negative, was " + delay);
      }
      runAt = publishedAt.plus(delay);
    }
    Backoff backoff = null;
    if (present(root, "backoff")) {
      JsonNode b = root.get("backoff");
      if (!b.isObject() || !present(b, "initial") || !present(b, "max")) {
        throw new InvalidInputException(
            "backoff", "expected {\"initial\": \"PT1S\", \"max\": \"PT5M\"}");
      }
      backoff =
          new Backoff(
              duration(b.get("initial"), "backoff.initial"), duration(b.get("max"), "backoff.max"));
    }
    JsonNode task = root.get("task");
    if (task == null || !task.isTextual() || task.asText().isBlank()) {
      throw new InvalidInputException("task", "a task name (string) is required");
    }
    return new JobMessage(
        id,
        task.asText(),
        queue,
        present(root, "priority") ? integer(root, "priority") : 0,
        present(root, "input") ? rawInput(body) : "{}",
        runAt,
        present(root, "maxAttempts") ? integer(root, "maxAttempts") : null,
        backoff,
        present(root, "timeout") ? duration(root.get("timeout"), "timeout") : null,
        present(root, "idempotencyKey") ? text(root, "idempotencyKey") : null,
        present(root, "createdAt") ? instant(root, "createdAt") : null);
  }

  /**
   * The {@code input} value's text exactly as the producer wrote it (stores keep input byte for
   * byte), found with a second, streaming pass over a body the tree pass already accepted.
   */
  private static String rawInput(byte[] body) {
    try (JsonParser p = FACTORY.createParser(body)) {
      p.nextToken(); // START_OBJECT
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String name = p.currentName();
        p.nextToken();
        if (name.equals("input")) {
          int start = (int) p.currentTokenLocation().getByteOffset();
          if (p.currentToken().isStructStart()) {
            p.skipChildren();
          } else {
            p.finishToken(); // scalars are read lazily: make the location pass the value
          }
          int end = (int) p.currentLocation().getByteOffset();
          return new String(body, start, end - start, StandardCharsets.UTF_8);
        }
        p.skipChildren();
      }
      throw new IllegalStateException("input field vanished between two parses");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static boolean present(JsonNode node, String field) {
    return node.has(field) && !node.get(field).isNull();
  }

  private static String text(JsonNode node, String field) {
    JsonNode v = node.get(field);
    if (!v.isTextual()) {
      throw new InvalidInputException(
          field, "expected a string, got " + v.getNodeType().name().toLowerCase(Locale.ROOT));
    }
    return v.asText();
  }

  private static int integer(JsonNode node, String field) {
    JsonNode v = node.get(field);
    if (!v.isIntegralNumber() || !v.canConvertToInt()) {
      throw new InvalidInputException(field, "expected a whole number, got " + v);
    }
    return v.asInt();
  }

  private static Instant instant(JsonNode node, String field) {
    try {
      return Instant.parse(text(node, field));
    } catch (DateTimeParseException e) {
      throw new InvalidInputException(
          field, "not an ISO-8601 instant such as 2030-01-01T00:00:00Z");
    }
  }

  /**
   * ISO-8601 ({@code PT5S}), a short form ({@code 500ms}, {@code 5s}, {@code 2m}, {@code 1h}) or
   * seconds.
   */
  static Duration duration(JsonNode v, String name) {
    if (v.isNumber()) {
      return Duration.ofNanos(Math.round(v.asDouble() * 1e9));
    }
    if (v.isTextual()) {
      String s = v.asText().trim();
      Matcher m = SHORT.matcher(s);
      if (m.matches()) {
        double n = Double.parseDouble(m.group(1));
        long unitNanos =
            switch (m.group(2)) {
              case "ms" -> 1_000_000L;
              case "s" -> 1_000_000_000L;
              case "m" -> 60_000_000_000L;
              default -> 3_600_000_000_000L;
            };
        return Duration.ofNanos(Math.round(n * unitNanos));
      }
      try {
        return Duration.parse(s);
      } catch (DateTimeParseException e) {
        // fall through to the error below
      }
    }
    throw new InvalidInputException(
        name, "not a duration: " + v + "; use ISO-8601 (\"PT5S\"), \"500ms\", \"5s\" or seconds");
  }
}
