package dev.offload.redis.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.offload.Backoff;
import dev.offload.Job;
import dev.offload.JobAttempt;
import dev.offload.JobError;
import dev.offload.JobId;
import dev.offload.JobState;
import dev.offload.Progress;
import dev.offload.StoreException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A job as a Redis hash, and back.
 *
 * <p>Design: one hash per job with short field names, each value plain text the Lua scripts can
 * compare without decoding. Instants are fixed-width strings (11-digit epoch seconds then 9-digit
 * nanos) so that Lua's string order is time order, exactly, at nanosecond precision, and the
 * ordered indexes can be lexicographic sorted sets. Errors and progress are small JSON documents.
 * The history of attempts is a JSON array the scripts append to without decoding it: {@code
 * [{"attempt":1,"worker":"w","startedAt":"<time>","endedAt":"<time>","outcome":"failed",
 * "error":{...}}]}, times in the same 20-character form.
 */
public final class JobCodec {
  static final ObjectMapper JSON = new ObjectMapper();
  private static final long MAX_SECONDS = 99_999_999_999L;
  private static final Map<String, Backoff> BACKOFFS = new ConcurrentHashMap<>();

  private JobCodec() {}

  /** {@code t} as the 20-character sortable form. */
  public static String time(Instant t) {
    long s = t.getEpochSecond();
    if (s < 0 || s > MAX_SECONDS) {
      throw new IllegalArgumentException(
          "the Redis store keeps times from 1970 to year 5138, got " + t);
    }
    StringBuilder b = new StringBuilder(20);
    pad(b, Long.toString(s), 11);
    pad(b, Integer.toString(t.getNano()), 9);
    return b.toString();
  }

  private static void pad(StringBuilder b, String digits, int width) {
    for (int i = digits.length(); i < width; i++) {
      b.append('0');
    }
    b.append(digits);
  }

  public static Instant parseTime(String s) {
    if (s == null) {
      return null;
    }
    return Instant.ofEpochSecond(Long.parseLong(s, 0, 11, 10), Integer.parseInt(s, 11, 20, 10));
  }

  /** The hash fields of {@code job}, as name/value pairs, leaving out null values. */
  public static List<String> fields(Job job) {
    List<String> f = new ArrayList<>(40);
    put(f, "id", job.id().toString());
    put(f, "task", job.task());
    put(f, "q", job.queue());
    put(f, "st", job.state().wireName());
    put(f, "pri", Integer.toString(job.priority()));
    put(f, "in", job.input());
    put(f, "res", job.result());
    put(f, "err", error(job.error()));
    put(f, "prog", progress(job.progress()));
    put(f, "att", Integer.toString(job.attempts()));
    put(f, "max", Integer.toString(job.maxAttempts()));
    put(f, "boff", job.backoff().initial() + "|" + job.backoff().max());
    put(f, "tmo", job.timeout() == null ? null : job.timeout().toString());
    put(f, "idem", job.idempotencyKey());
    put(f, "ca", time(job.createdAt()));
    put(f, "ra", time(job.runAt()));
    put(f, "sa", job.startedAt() == null ? null : time(job.startedAt()));
    put(f, "fa", job.finishedAt() == null ? null : time(job.finishedAt()));
    put(f, "own", job.leaseOwner());
    put(f, "le", job.leaseExpiresAt() == null ? null : time(job.leaseExpiresAt()));
    put(f, "tok", Long.toString(job.leaseToken()));
    put(f, "lost", Integer.toString(job.lostReservations()));
    put(f, "hist", job.history().isEmpty() ? null : history(job.history()));
    return f;
  }

  private static void put(List<String> f, String name, String value) {
    if (value != null) {
      f.add(name);
      f.add(value);
    }
  }

  /** A job from the flat field/value list of {@code HGETALL}, or null when it is empty. */
  public static Job fromFlat(List<?> flat) {
    if (flat == null || flat.isEmpty()) {
      return null;
    }
    Map<String, String> m = new HashMap<>(48);
    for (int i = 0; i + 1 < flat.size(); i += 2) {
      m.put((String) flat.get(i), (String) flat.get(i + 1));
    }
    return fromMap(m);
  }

  public static Job fromMap(Map<String, String> m) {
    if (m == null || m.isEmpty()) {
      return null;
    }
    String tmo = m.get("tmo");
    return new Job(
        JobId.parse(m.get("id")),
        m.get("task"),
        m.get("q"),
        JobState.fromWireName(m.get("st")),
        Integer.parseInt(m.get("pri")),
        m.get("in"),
        m.get("res"),
        parseError(m.get("err")),
        parseProgress(m.get("prog")),
        Integer.parseInt(m.get("att")),
        Integer.parseInt(m.get("max")),
        backoff(m.get("boff")),
        tmo == null ? null : Duration.parse(tmo),
        m.get("idem"),
        parseTime(m.get("ca")),
        parseTime(m.get("ra")),
        parseTime(m.get("sa")),
        parseTime(m.get("fa")),
        m.get("own"),
        parseTime(m.get("le")),
        parseLong(m.get("tok")),
        (int) parseLong(m.get("lost")),
        history(m));
  }

  /**
   * The history: the JSON in {@code hist}, or, for a job that succeeded at its first charged
   * attempt, the one entry its fields imply ({@code hw} names the worker; see finished() in
   * prelude.lua).
   */
  private static List<JobAttempt> history(Map<String, String> m) {
    String worker = m.get("hw");
    if (m.get("hist") == null && worker != null) {
      return List.of(
          new JobAttempt(
              Integer.parseInt(m.get("att")),
              worker,
              parseTime(m.get("sa")),
              parseTime(m.get("fa")),
              JobAttempt.SUCCEEDED,
              null));
    }
    return parseHistory(m.get("hist"));
  }

  /** Absent (a job written by layout 1): 0. */
  private static long parseLong(String s) {
    return s == null ? 0 : Long.parseLong(s);
  }

  /** The history as the scripts keep it (see the class comment). */
  public static String history(List<JobAttempt> history) {
    ArrayNode array = JSON.createArrayNode();
    for (JobAttempt a : history) {
      ObjectNode o = array.addObject();
      o.put("attempt", a.attempt());
      o.put("worker", a.worker());
      o.put("startedAt", a.startedAt() == null ? null : time(a.startedAt()));
      o.put("endedAt", a.endedAt() == null ? null : time(a.endedAt()));
      o.put("outcome", a.outcome());
      o.set("error", a.error() == null ? null : JSON.valueToTree(a.error()));
    }
    return array.toString();
  }

  static List<JobAttempt> parseHistory(String json) {
    if (json == null || json.isEmpty()) {
      return List.of();
    }
    JsonNode array;
    try {
      array = JSON.readTree(json);
    } catch (JsonProcessingException e) {
      throw new StoreException("corrupt history in Redis: " + json, e);
    }
    if (!array.isArray()) {
      return List.of(); // an empty Lua table may come back as {}
    }
    List<JobAttempt> attempts = new ArrayList<>(array.size());
    for (JsonNode a : array) {
      JsonNode error = a.get("error");
      try {
        attempts.add(
            new JobAttempt(
                a.path("attempt").asInt(),
                text(a.get("worker")),
                parseTime(text(a.get("startedAt"))),
                parseTime(text(a.get("endedAt"))),
                a.path("outcome").asText(),
                error == null || error.isNull() ? null : JSON.treeToValue(error, JobError.class)));
      } catch (JsonProcessingException e) {
        throw new StoreException("corrupt history in Redis: " + json, e);
      }
    }
    return attempts;
  }

  private static String text(JsonNode node) {
    return node == null || node.isNull() ? null : node.asText();
  }

  /** Most jobs share a handful of backoff policies: parse each text once. */
  private static Backoff backoff(String text) {
    Backoff known = BACKOFFS.get(text);
    if (known != null) {
      return known;
    }
    String[] parts = text.split("\\|", 2);
    Backoff parsed = new Backoff(Duration.parse(parts[0]), Duration.parse(parts[1]));
    if (BACKOFFS.size() < 1000) {
      BACKOFFS.put(text, parsed);
    }
    return parsed;
  }

  public static String error(JobError error) {
    return error == null ? null : write(error);
  }

  public static String progress(Progress progress) {
    return progress == null ? null : write(progress);
  }

  static JobError parseError(String json) {
    return json == null ? null : read(json, JobError.class);
  }

  static Progress parseProgress(String json) {
    return json == null || json.isEmpty() ? null : read(json, Progress.class);
  }

  private static String write(Object value) {
    try {
      return JSON.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new StoreException("cannot encode " + value, e);
    }
  }

  private static <T> T read(String json, Class<T> type) {
    try {
      return JSON.readValue(json, type);
    } catch (JsonProcessingException e) {
      throw new StoreException("corrupt " + type.getSimpleName() + " in Redis: " + json, e);
    }
  }

  /** A nullable script argument: {@code ""} for null, else {@code "="} and the value. */
  public static String opt(String value) {
    return value == null ? "" : "=" + value;
  }
}
