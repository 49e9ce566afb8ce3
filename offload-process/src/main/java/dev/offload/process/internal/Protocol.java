package dev.offload.process.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.time.Instant;

/**
 * The child-process protocol's message names and builders (see docs/PROCESS-WORKERS.md): one JSON
 * object per line, parent to child on stdin, child to parent on stdout.
 */
public final class Protocol {
  /** The protocol version the parent announces in {@code OFFLOAD_PROTOCOL}. */
  public static final int VERSION = 1;

  public static final String RUN = "run";
  public static final String CANCEL = "cancel";
  public static final String SHUTDOWN = "shutdown";
  public static final String READY = "ready";
  public static final String PROGRESS = "progress";
  public static final String HEARTBEAT = "heartbeat";
  public static final String RESULT = "result";
  public static final String ERROR = "error";

  /** Reserved {@code errorType}s; any other value names the task's own exception type. */
  public static final String ERR_CANCELLED = "cancelled";

  public static final String ERR_MEMORY = "memory-limit";
  public static final String ERR_INVALID_INPUT = "invalid-input";
  public static final String ERR_UNKNOWN_TASK = "unknown-task";

  /** Environment variables the parent sets for every child. */
  public static final String ENV_PROTOCOL = "OFFLOAD_PROTOCOL";

  public static final String ENV_HEARTBEAT_MS = "OFFLOAD_HEARTBEAT_MS";

  private Protocol() {}

  /** The mapper used when the builder is given none: Java time types as ISO strings. */
  public static ObjectMapper defaultMapper() {
    return JsonMapper.builder()
        .addModule(new JavaTimeModule())
        .disable(com.fasterxml.jackson.databind.SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
        .build();
  }

  static ObjectNode run(
      ObjectMapper mapper,
      String id,
      String task,
      String job,
      JsonNode input,
      int attempt,
      Instant deadline) {
    ObjectNode n = mapper.createObjectNode();
    n.put("type", RUN);
    n.put("id", id);
    n.put("task", task);
    n.put("job", job);
    n.set("input", input);
    n.put("attempt", attempt);
    if (deadline != null) {
      n.put("deadline", deadline.toEpochMilli());
    } else {
      n.putNull("deadline");
    }
    return n;
  }

  static ObjectNode cancel(ObjectMapper mapper, String id) {
    ObjectNode n = mapper.createObjectNode();
    n.put("type", CANCEL);
    n.put("id", id);
    return n;
  }

  static ObjectNode shutdown(ObjectMapper mapper) {
    ObjectNode n = mapper.createObjectNode();
    n.put("type", SHUTDOWN);
    return n;
  }

  /** A text field, or {@code null} when absent or JSON null. */
  static String text(JsonNode message, String field) {
    JsonNode v = message.get(field);
    return v == null || v.isNull() ? null : v.asText();
  }
}
