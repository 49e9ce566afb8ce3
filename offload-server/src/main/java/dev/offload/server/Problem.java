package dev.offload.server;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * One problem+json answer: its type, a detail for humans, and extension members such as {@code
 * field} or {@code index}.
 *
 * @param type the stable type (and HTTP status)
 * @param detail what went wrong in this case; never a stack trace
 * @param extensions extra members ({@code field}, {@code index}, {@code task}, ...)
 * @param retryAfter for {@code Retry-After}, or {@code null}
 */
public record Problem(
    ProblemType type, String detail, Map<String, Object> extensions, Duration retryAfter) {
  public Problem {
    Objects.requireNonNull(type, "type");
    extensions = Map.copyOf(extensions);
  }

  public static Problem of(ProblemType type, String detail) {
    return new Problem(type, detail, Map.of(), null);
  }

  /** A copy with one more extension member (ignored when {@code value} is {@code null}). */
  public Problem with(String name, Object value) {
    if (value == null) {
      return this;
    }
    Map<String, Object> more = new LinkedHashMap<>(extensions);
    more.put(name, value);
    return new Problem(type, detail, more, retryAfter);
  }

  public Problem retryAfter(Duration after) {
    return new Problem(type, detail, extensions, after);
  }
}
