package dev.offload.transport.tck;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A TCP forwarder on 127.0.0.1 between a client and a broker, so a test can drop a consumer's
 * connection the way a network failure does: {@link #cut()} closes every forwarded socket (the
 * broker sees the connection end) and refuses new ones until {@link #restore()}.
 */
public final class TcpProxy implements AutoCloseable {
  private final InetSocketAddress target;
  private final ServerSocket server;
  private final List<Socket> open = new CopyOnWriteArrayList<>();
  private volatile boolean refusing;

  public TcpProxy(InetSocketAddress target) throws IOException {
    this(target, 0);
  }

  public TcpProxy(InetSocketAddress target, int port) throws IOException {
    this.target = target;
    this.server = new ServerSocket();
    server.setReuseAddress(true);
    server.bind(new InetSocketAddress("127.0.0.1", port));
    Thread.ofPlatform().daemon().name("tcp-proxy-" + port()).start(this::acceptLoop);
  }

  /** The port clients connect to. */
  public int port() {
    return server.getLocalPort();
  }

  /** Drops every forwarded connection and refuses new ones. */
  public void cut() {
    refusing = true;
    for (Socket s : open) {
      closeQuietly(s);
    }
    open.clear();
  }

  /** Forwards new connections again. */
  public void restore() {
    refusing = false;
  }

  private void acceptLoop() {
    while (!server.isClosed()) {
      try {
        Socket client = server.accept();
        if (refusing) {
          closeQuietly(client);
          continue;
        }
        Socket upstream = new Socket();
        upstream.connect(target, 5_000);
        client.setTcpNoDelay(true);
        upstream.setTcpNoDelay(true);
        open.add(client);
        open.add(upstream);
        pipe(client, upstream);
        pipe(upstream, client);
      } catch (IOException e) {
        if (server.isClosed()) {
          return;
        }
      }
    }
  }

  private void pipe(Socket from, Socket to) {
    Thread.ofPlatform()
        .daemon()
        .name("tcp-proxy-pipe")
        .start(() -> {
          byte[] buf = new byte[64 * 1024];
          try (InputStream in = from.getInputStream();
              OutputStream out = to.getOutputStream()) {
            int n;
            while ((n = in.read(buf)) >= 0) {
              out.write(buf, 0, n);
              out.flush();
            }
          } catch (IOException e) {
            // one side went away: close both below, as a network failure would
          } finally {
            closeQuietly(from);
            closeQuietly(to);
          }
        });
  }

  private static void closeQuietly(Socket s) {
    try {
      s.close();
    } catch (IOException e) {
      // closing a socket that is already broken; nothing left to release
    }
  }

  @Override
  public void close() throws IOException {
    cut();
    server.close();
  }
}
