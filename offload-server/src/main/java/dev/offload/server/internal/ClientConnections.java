package dev.offload.server.internal;

import io.helidon.common.socket.PeerInfo;
import io.helidon.webserver.http.ServerRequest;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells a waiting handler whether its client has gone away, so {@code POST /tasks/{name}/run} can
 * cancel work nobody waits for.
 *
 * <p>Design note: HTTP/1.1 gives no signal for a peer that closes while the server computes; a
 * process normally sees the FIN only by reading, and reading the connection from a second thread
 * would steal a pipelined request from the web server. The kernel knows, though: a connection whose
 * peer closed sits in {@code CLOSE_WAIT}. So waiting handlers register their connection (local and
 * remote address, from the request) and one scanner thread reads {@code /proc/net/tcp} and {@code
 * tcp6} a few times a second while anyone waits, flagging connections in {@code CLOSE_WAIT}, {@code
 * CLOSE} or {@code LAST_ACK}. One scan serves every waiter; requests that finish fast never
 * register. Where {@code /proc} does not exist (not Linux) nothing is ever flagged: work then runs
 * to its end (or its timeout), as it would without this class. A client that half-closes its side
 * while still reading looks gone too; HTTP clients do not do that.
 */
public final class ClientConnections implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ClientConnections.class);
  private static final List<Path> TABLES =
      List.of(Path.of("/proc/net/tcp"), Path.of("/proc/net/tcp6"));
  private static final Watch NONE = new Watch(null);

  private final Map<Key, Watch> watches = new ConcurrentHashMap<>();
  private final Duration interval;
  private final boolean supported = Files.isReadable(TABLES.get(0));
  private final Object wakeUp = new Object();
  private ByteBuffer buffer = ByteBuffer.allocate(1 << 20);
  private volatile boolean closed;
  private Thread scanner;

  public ClientConnections(Duration interval) {
    this.interval = interval;
  }

  /** Starts watching the connection {@code req} came on; close the watch when done waiting. */
  public Watch watch(ServerRequest req) {
    return watch(req, null);
  }

  /**
   * {@link #watch(ServerRequest)}, running {@code onGone} (on the scanner thread; keep it short,
   * e.g. cancel a future) once the client is seen gone.
   */
  public Watch watch(ServerRequest req, Runnable onGone) {
    if (!supported || closed) {
      return NONE;
    }
    Key key = key(req.localPeer(), req.remotePeer());
    if (key == null) {
      return NONE;
    }
    Watch w = new Watch(this);
    w.key = key;
    w.onGone = onGone;
    watches.put(key, w);
    ensureScanner();
    return w;
  }

  private synchronized void ensureScanner() {
    if (scanner == null && !closed) {
      // A platform thread: on JDK 21 a virtual thread in Object.wait would pin a carrier.
      scanner = Thread.ofPlatform().daemon(true).name("offload-client-watch").start(this::scanLoop);
    }
  }

  /**
   * Scans on a fixed beat, never on registration: a busy server registers many waits per second,
   * and each scan makes the kernel walk its whole connection table.
   */
  private void scanLoop() {
    while (!closed) {
      try {
        synchronized (wakeUp) {
          wakeUp.wait(interval.toMillis());
        }
        if (!watches.isEmpty() && !closed) {
          scan();
        }
      } catch (InterruptedException e) {
        return;
      } catch (IOException | RuntimeException e) {
        LOG.debug("scanning TCP connections failed", e);
      }
    }
  }

  private void scan() throws IOException {
    for (Path table : TABLES) {
      String text = readAll(table);
      if (text == null) {
        continue;
      }
      int from = text.indexOf('\n') + 1;
      while (from > 0 && from < text.length()) {
        int to = text.indexOf('\n', from);
        String line = text.substring(from, to < 0 ? text.length() : to);
        from = to < 0 ? -1 : to + 1;
        String[] f = line.trim().split("\\s+");
        if (f.length < 4) {
          continue;
        }
        String st = f[3];
        // 07 CLOSE, 08 CLOSE_WAIT, 09 LAST_ACK: the peer closed its side.
        if (!st.equals("08") && !st.equals("07") && !st.equals("09")) {
          continue;
        }
        Key k = parse(f[1], f[2]);
        Watch w = k == null ? null : watches.get(k);
        if (w != null) {
          w.markGone();
        }
      }
    }
  }

  /**
   * The whole file in as few reads as possible: the kernel walks its connection table again for
   * every read of these files, so small reads (a BufferedReader's 8 KiB) cost many walks.
   */
  private String readAll(Path table) throws IOException {
    if (!Files.isReadable(table)) {
      return null;
    }
    try (FileChannel ch = FileChannel.open(table, StandardOpenOption.READ)) {
      buffer.clear();
      while (ch.read(buffer) > 0) {
        if (!buffer.hasRemaining()) {
          ByteBuffer bigger = ByteBuffer.allocate(buffer.capacity() * 2);
          buffer.flip();
          bigger.put(buffer);
          buffer = bigger;
        }
      }
      buffer.flip();
      return StandardCharsets.US_ASCII.decode(buffer).toString();
    }
  }

  private static Key parse(String local, String remote) {
    int lc = local.indexOf(':');
    int rc = remote.indexOf(':');
    if (lc < 0 || rc < 0) {
      return null;
    }
    return new Key(
        Integer.parseInt(local.substring(lc + 1), 16),
        Integer.parseInt(remote.substring(rc + 1), 16),
        procAddress(remote.substring(0, rc)));
  }

  /** /proc prints addresses as 32-bit words in host (little-endian) order. */
  private static byte[] procAddress(String hex) {
    byte[] raw = HexFormat.of().parseHex(hex);
    for (int i = 0; i + 3 < raw.length; i += 4) {
      byte b0 = raw[i];
      byte b1 = raw[i + 1];
      raw[i] = raw[i + 3];
      raw[i + 1] = raw[i + 2];
      raw[i + 2] = b1;
      raw[i + 3] = b0;
    }
    return normalize(raw);
  }

  /** IPv4-mapped IPv6 addresses compare as IPv4. */
  private static byte[] normalize(byte[] a) {
    if (a.length == 16) {
      boolean mapped = a[10] == (byte) 0xff && a[11] == (byte) 0xff;
      for (int i = 0; i < 10 && mapped; i++) {
        mapped = a[i] == 0;
      }
      if (mapped) {
        return Arrays.copyOfRange(a, 12, 16);
      }
    }
    return a;
  }

  private static Key key(PeerInfo local, PeerInfo remote) {
    if (!(remote.address() instanceof InetSocketAddress r) || r.getAddress() == null) {
      return null;
    }
    InetAddress addr = r.getAddress();
    return new Key(local.port(), remote.port(), normalize(addr.getAddress()));
  }

  @Override
  public void close() {
    closed = true;
    synchronized (wakeUp) {
      wakeUp.notifyAll();
    }
  }

  private record Key(int localPort, int remotePort, byte[] remoteAddress) {
    @Override
    public boolean equals(Object o) {
      return o instanceof Key k
          && k.localPort == localPort
          && k.remotePort == remotePort
          && Arrays.equals(k.remoteAddress, remoteAddress);
    }

    @Override
    public int hashCode() {
      return 31 * (31 * localPort + remotePort) + Arrays.hashCode(remoteAddress);
    }

    @Override
    public String toString() {
      return localPort + "<-" + remotePort;
    }
  }

  /** One waiting request's view of its connection. Close it when the wait ends. */
  public static final class Watch implements AutoCloseable {
    private final ClientConnections owner;
    private Key key;
    private Runnable onGone;
    private volatile boolean gone;

    private Watch(ClientConnections owner) {
      this.owner = owner;
    }

    private void markGone() {
      if (!gone) {
        gone = true;
        if (onGone != null) {
          onGone.run();
        }
      }
    }

    /** Whether the client closed the connection. */
    public boolean clientGone() {
      return gone;
    }

    @Override
    public void close() {
      if (owner != null) {
        owner.watches.remove(key, this);
      }
    }
  }
}
