package dev.offload.store.sql.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.offload.JobAttempt;
import dev.offload.JobError;
import dev.offload.StoreException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@code history} column: a JSON array of {@link JobAttempt}s, oldest first, {@code NULL} when
 * empty. Each element is {@code {"attempt": 1, "worker": "w", "startedAt": NANOS, "endedAt": NANOS,
 * "outcome": "failed", "error": {"type": …, "message": …, "detail": …} | null}}, times in epoch
 * nanoseconds like every other column, so each value round-trips exactly.
 *
 * <p>The hot path (completions) appends elements with the databases' own JSON functions ({@link
 * JobSql}); they build exactly this shape. Rare paths (reaping, cancel, requeue) write the whole
 * array from Java through {@link #write}.
 */
final class History {
  static final String ATTEMPT = "attempt";
  static final String WORKER = "worker";
  static final String STARTED_AT = "startedAt";
  static final String ENDED_AT = "endedAt";
  static final String OUTCOME = "outcome";
  static final String ERROR = "error";

  private static final ObjectMapper JSON = new ObjectMapper();

  private History() {}

  /** The column value for {@code attempts}: {@code null} when empty. */
  static String write(List<JobAttempt> attempts) {
    if (attempts == null || attempts.isEmpty()) {
      return null;
    }
    ArrayNode array = JSON.createArrayNode();
    for (JobAttempt a : attempts) {
      ObjectNode o = array.addObject();
      o.put(ATTEMPT, a.attempt());
      o.put(WORKER, a.worker());
      o.put(STARTED_AT, JobRows.nanos(a.startedAt()));
      o.put(ENDED_AT, JobRows.nanos(a.endedAt()));
      o.put(OUTCOME, a.outcome());
      JobError e = a.error();
      if (e == null) {
        o.putNull(ERROR);
      } else {
        o.putObject(ERROR)
            .put("type", e.type())
            .put("message", e.message())
            .put("detail", e.detail());
      }
    }
    try {
      return JSON.writeValueAsString(array);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write job history", e);
    }
  }

  /** The attempts in a column value ({@code null}: none). */
  static List<JobAttempt> read(String column) {
    if (column == null) {
      return List.of();
    }
    JsonNode array;
    try {
      array = JSON.readTree(column);
    } catch (JsonProcessingException e) {
      throw new StoreException("unreadable job history: " + e.getOriginalMessage(), e);
    }
    List<JobAttempt> attempts = new ArrayList<>(array.size());
    for (JsonNode o : array) {
      JsonNode e = o.path(ERROR);
      JobError error =
          e.isObject()
              ? new JobError(text(e.get("type")), text(e.get("message")), text(e.get("detail")))
              : null;
      attempts.add(
          new JobAttempt(
              o.path(ATTEMPT).asInt(),
              text(o.get(WORKER)),
              instant(o.get(STARTED_AT)),
              instant(o.get(ENDED_AT)),
              text(o.get(OUTCOME)),
              error));
    }
    return attempts;
  }

  private static String text(JsonNode n) {
    return n == null || n.isNull() ? null : n.asText();
  }

  private static Instant instant(JsonNode n) {
    return n == null || n.isNull() ? null : Instant.ofEpochSecond(0, n.asLong());
  }
}
