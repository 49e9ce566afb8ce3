package dev.offload.server;

import dev.offload.server.internal.ClientConnections;
import io.helidon.webserver.http.ServerRequest;
import java.time.Duration;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/**
 * Offload-and-wait in a Helidon handler of your own that stops the work when the client leaves:
 * what {@code POST /tasks/{name}/run} does, for routes outside the API (the seed-api example).
 * Linux only (it reads the kernel's TCP table); elsewhere the work runs to its end.
 *
 * <pre>{@code
 * ClientDisconnects disconnects = new ClientDisconnects();
 * routing.get("/{n}", (req, res) -> {
 *   long out = disconnects.await(req, offload.runAsync(task, input));   // cancelled if req's client leaves
 *   res.send(Long.toString(out));
 * });
 * }</pre>
 */
public final class ClientDisconnects implements AutoCloseable {
  private final ClientConnections connections;

  /** Checks waiting clients twice a second. */
  public ClientDisconnects() {
    this(Duration.ofMillis(500));
  }

  /** Checks waiting clients every {@code interval}. */
  public ClientDisconnects(Duration interval) {
    if (interval.isNegative() || interval.isZero()) {
      throw new IllegalArgumentException("interval must be positive, was " + interval);
    }
    this.connections = new ClientConnections(interval);
  }

  /**
   * Waits for {@code work}; cancels it (with interruption) once {@code request}'s client is seen
   * gone.
   *
   * @throws CancellationException when the client left (nobody reads an answer then)
   */
  public <T> T await(ServerRequest request, CompletableFuture<T> work)
      throws InterruptedException, ExecutionException {
    try (ClientConnections.Watch watch = connections.watch(request, () -> work.cancel(true))) {
      try {
        return work.get();
      } catch (InterruptedException e) {
        work.cancel(true);
        throw e;
      }
    }
  }

  @Override
  public void close() {
    connections.close();
  }
}
