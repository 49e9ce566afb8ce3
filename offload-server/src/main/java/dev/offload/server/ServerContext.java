package dev.offload.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.offload.Job;
import dev.offload.JobEvent;
import dev.offload.Offload;
import io.helidon.webserver.http.ServerResponse;
import java.util.function.Consumer;

/**
 * What a {@link ServerExtension} may use of the running server, so its routes answer in the same
 * shapes as the API: the same job JSON, the same problem+json errors, the same event feed.
 */
public interface ServerContext {

  /** The Offload instance the server fronts. */
  Offload offload();

  /** The mapper the API uses (ISO-8601 times). */
  ObjectMapper objectMapper();

  /** The job as {@code GET /jobs/{id}} shows it. */
  ObjectNode jobJson(Job job);

  /** Sends {@code body} as {@code application/json} with {@code status}. */
  void sendJson(ServerResponse response, int status, JsonNode body);

  /**
   * Answers with the problem+json error for {@code error}: a {@link ProblemException}, an Offload
   * exception (not found, invalid input, queue full, ...) or anything else (500, logged, no stack
   * trace sent).
   */
  void sendProblem(ServerResponse response, Throwable error);

  /**
   * Job events as the server relays them to {@code GET /events}; the listener must return quickly.
   * Close the handle to stop.
   */
  AutoCloseable subscribe(Consumer<JobEvent> listener);

  /** Whether the server is draining for shutdown (new work is refused with 503). */
  boolean isShuttingDown();
}
