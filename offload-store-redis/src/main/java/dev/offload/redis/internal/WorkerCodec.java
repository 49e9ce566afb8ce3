package dev.offload.redis.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.offload.StoreException;
import dev.offload.WorkerInfo;
import java.time.Instant;
import java.util.HashSet;
import java.util.Set;

/** {@link WorkerInfo} as JSON, instants as ISO-8601 text so they come back exactly. */
final class WorkerCodec {
  private WorkerCodec() {}

  static String write(WorkerInfo w) {
    ObjectNode n = JobCodec.JSON.createObjectNode();
    n.put("id", w.id());
    n.put("host", w.host());
    n.put("pid", w.pid());
    n.put("concurrency", w.concurrency());
    n.put("running", w.running());
    ArrayNode queues = n.putArray("queues");
    w.queues().stream().sorted().forEach(queues::add);
    n.put("startedAt", w.startedAt() == null ? null : w.startedAt().toString());
    n.put("lastHeartbeatAt", w.lastHeartbeatAt().toString());
    return n.toString();
  }

  static WorkerInfo read(String json) {
    try {
      JsonNode n = JobCodec.JSON.readTree(json);
      Set<String> queues = new HashSet<>();
      n.path("queues").forEach(q -> queues.add(q.asText()));
      return new WorkerInfo(
          n.path("id").asText(),
          n.path("host").isNull() ? null : n.path("host").asText(),
          n.path("pid").asLong(),
          n.path("concurrency").asInt(),
          n.path("running").asInt(),
          queues,
          instant(n.path("startedAt")),
          instant(n.path("lastHeartbeatAt")));
    } catch (JsonProcessingException e) {
      throw new StoreException("corrupt worker record in Redis: " + json, e);
    }
  }

  private static Instant instant(JsonNode n) {
    return n.isMissingNode() || n.isNull() ? null : Instant.parse(n.asText());
  }
}
