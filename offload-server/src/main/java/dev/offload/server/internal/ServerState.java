package dev.offload.server.internal;

/** Whether the server is draining for shutdown; read by every request. */
public final class ServerState {
  private volatile boolean shuttingDown;

  public boolean isShuttingDown() {
    return shuttingDown;
  }

  public void beginShutdown() {
    shuttingDown = true;
  }
}
