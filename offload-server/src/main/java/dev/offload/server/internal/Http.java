package dev.offload.server.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.offload.server.Problem;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.ServerResponse;
import java.io.UncheckedIOException;
import java.util.Map;

/** Writes JSON and problem+json answers. */
public final class Http {
  public static final String JSON = "application/json";
  public static final String PROBLEM_JSON = "application/problem+json";

  private Http() {}

  public static void sendJson(ServerResponse res, int status, JsonNode body, ObjectMapper mapper) {
    res.status(status);
    res.header(HeaderNames.CONTENT_TYPE, JSON);
    res.send(bytes(body, mapper));
  }

  public static void sendProblem(
      ServerResponse res, Problem problem, String instance, ObjectMapper mapper) {
    if (res.isSent()) {
      return;
    }
    ObjectNode body = mapper.createObjectNode();
    body.put("type", problem.type().uri());
    body.put("title", problem.type().title());
    body.put("status", problem.type().status());
    body.put("detail", problem.detail());
    if (instance != null) {
      body.put("instance", instance);
    }
    for (Map.Entry<String, Object> e : problem.extensions().entrySet()) {
      body.set(e.getKey(), mapper.valueToTree(e.getValue()));
    }
    res.status(problem.type().status());
    if (problem.retryAfter() != null) {
      long seconds = Math.max(1, (problem.retryAfter().toMillis() + 999) / 1000);
      res.header(HeaderNames.RETRY_AFTER, Long.toString(seconds));
    }
    res.header(HeaderNames.CONTENT_TYPE, PROBLEM_JSON);
    res.send(bytes(body, mapper));
  }

  static byte[] bytes(JsonNode body, ObjectMapper mapper) {
    try {
      return mapper.writeValueAsBytes(body);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }
}
