package dev.offload.server;

import io.helidon.webserver.http.HttpRouting;

/**
 * Adds routes to an {@link OffloadServer}: a dashboard, metrics, a tenant's own endpoints. Found by
 * {@link java.util.ServiceLoader} ({@code META-INF/services/dev.offload.server.ServerExtension}) or
 * passed to {@link OffloadServer.Builder#addExtension}. Extensions are registered after the API
 * routes (which they cannot shadow) and before the fallbacks, so an extension that serves {@code
 * GET /} replaces the default redirect to {@code /docs}.
 *
 * <pre>{@code
 * public final class Dashboard implements ServerExtension {
 *   public void register(HttpRouting.Builder routing, ServerContext ctx) {
 *     routing.get("/", (req, res) -> res.send(page(ctx.offload().counts())));
 *   }
 * }
 * }</pre>
 */
public interface ServerExtension {

  /** Adds this extension's routes; called once, before the server starts. */
  void register(HttpRouting.Builder routing, ServerContext context);

  /** A name for logs. */
  default String name() {
    return getClass().getSimpleName();
  }
}
