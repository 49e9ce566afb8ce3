package dev.offload.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.offload.Job;
import dev.offload.JobEvent;
import dev.offload.Offload;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;
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

  /**
   * The scopes the request was granted (every scope when the server requires no tokens); an
   * extension that shows more to admins asks here.
   */
  default Set<Scope> scopes(ServerRequest request) {
    return EnumSet.allOf(Scope.class);
  }

  /** Whether the server requires API tokens. */
  default boolean tokensRequired() {
    return false;
  }

  /**
   * Signs a browser in with an API token: a new session for the HttpOnly cookie and the CSRF token
   * its actions must echo; empty when the token is not valid or no tokens are required.
   */
  default Optional<SignIn> signIn(String token) {
    return Optional.empty();
  }

  /** The CSRF token of the request's session, if it came with one. */
  default Optional<String> csrfToken(ServerRequest request) {
    return Optional.empty();
  }

  /** Ends the request's session, if any. */
  default void signOut(ServerRequest request) {}

  /**
   * A dashboard session: {@code cookieName=sessionId} goes in an HttpOnly, {@code SameSite=Strict}
   * cookie ({@code Secure} when {@code secure}); {@code csrf} in the {@code X-CSRF-Token} header of
   * every action.
   */
  record SignIn(
      String sessionId,
      String csrf,
      Set<Scope> scopes,
      String cookieName,
      Duration maxAge,
      boolean secure) {}
}
