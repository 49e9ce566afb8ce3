package dev.offload.server.internal;

import io.helidon.common.socket.HelidonSocket;
import io.helidon.http.HttpPrologue;
import io.helidon.webserver.ConnectionContext;
import io.helidon.webserver.http1.Http1ConnectionListener;

/**
 * Tells a handler whether its client has gone away, so {@code POST /tasks/{name}/run} can cancel
 * work nobody waits for.
 *
 * <p>Design note: HTTP/1.1 gives no signal for a peer that closes while the server computes; the
 * only way to see the FIN is to read. Helidon runs a connection's handlers on the connection's own
 * virtual thread, and its socket can "idle": a helper thread blocks on a one-byte read and records
 * end-of-stream as closed, while a byte that does arrive (a pipelined request) is kept for the next
 * read. So a receive listener remembers the connection in a thread-local when the request line
 * arrives, and a handler that is about to wait calls {@link Watch#start()} after it has read its
 * whole body. Watching costs nothing until started, so fast requests never pay for it.
 */
public final class ClientConnections implements Http1ConnectionListener {
  private static final ThreadLocal<ConnectionContext> CURRENT = new ThreadLocal<>();

  @Override
  public void prologue(ConnectionContext ctx, HttpPrologue prologue) {
    if (CURRENT.get() != ctx) {
      CURRENT.set(ctx);
    }
  }

  /** The calling handler's connection, or a watch that never reports a disconnect. */
  public static Watch current() {
    ConnectionContext ctx = CURRENT.get();
    return ctx == null ? Watch.NONE : new Watch(ctx);
  }

  /** One request's view of its connection. */
  public static final class Watch {
    static final Watch NONE = new Watch(null);

    private final ConnectionContext ctx;
    private HelidonSocket socket;

    private Watch(ConnectionContext ctx) {
      this.ctx = ctx;
    }

    /** Starts watching; call only once the request body has been read completely. */
    public void start() {
      if (ctx == null || socket != null) {
        return;
      }
      try {
        HelidonSocket s = ctx.serverSocket();
        s.idle();
        socket = s;
      } catch (UnsupportedOperationException e) {
        // TLS or a test connection without a plain socket: nothing to watch.
      }
    }

    /** Whether the client closed the connection (only known after {@link #start()}). */
    public boolean clientGone() {
      return socket != null && !socket.isConnected();
    }
  }
}
