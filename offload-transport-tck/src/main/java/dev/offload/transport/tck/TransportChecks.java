package dev.offload.transport.tck;

import dev.offload.Backoff;
import dev.offload.JobId;
import dev.offload.JobTransports;
import dev.offload.spi.ConsumeRequest;
import dev.offload.spi.JobMessage;
import dev.offload.spi.JobTransport;
import dev.offload.spi.TransportConsumer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * The fixture and helpers of {@link TransportContract}, kept apart so the suite reads as its tests.
 * A broker module implements the abstract methods below by subclassing the contract.
 */
abstract class TransportChecks {
  /** The queue every test uses; its prefix keeps it apart from other tests'. */
  static final String QUEUE = "jobs";

  static final Duration WAIT = Duration.ofSeconds(20);

  String prefix;
  Instant started;
  JobTransport transport;
  final List<AutoCloseable> toClose = new ArrayList<>();

  /** {@code url} plus this test's prefix and the suite's delivery limit and ack timeout. */
  String withContractOptions(String url) {
    return url
        + (url.contains("?") ? "&" : "?")
        + "prefix="
        + prefix
        + "&max-deliveries=3&ack-timeout=2s";
  }

  TransportConsumer consume(JobTransport t, int credit, Recorder recorder) {
    TransportConsumer c = t.consume(new ConsumeRequest(Set.of(QUEUE), credit), recorder);
    toClose.add(c);
    return c;
  }

  /** A message with every field set, the same for the same {@code n} within a test. */
  JobMessage fullMessage(int n) {
    return new JobMessage(
        id(n),
        "task-" + n,
        QUEUE,
        0,
        "{\"n\":" + n + ",\"text\":\"caf\\u00e9 \\\"q\\\"\",\"list\":[1,2.5,null]}",
        Instant.parse("2030-01-01T00:00:00Z").plusMillis(n),
        5,
        Backoff.of(Duration.ofMillis(250), Duration.ofSeconds(40)),
        Duration.ofSeconds(30),
        "key-" + prefix + "-" + n,
        Instant.parse("2029-12-31T00:00:00.123Z"));
  }

  /** {@code count} plain messages numbered from {@code from}. */
  List<JobMessage> messages(int from, int count) {
    List<JobMessage> out = new ArrayList<>(count);
    for (int i = from; i < from + count; i++) {
      out.add(JobMessage.of(id(i), "spin", "{\"n\":" + i + "}").withQueue(QUEUE));
    }
    return out;
  }

  /** Job ids fixed per test and number: UUIDv7-shaped, time from the test's start. */
  JobId id(int n) {
    long msb = (started.toEpochMilli() << 16) | 0x7000L | (n & 0xFFFL);
    long lsb =
        0x8000000000000000L | ((long) prefix.hashCode() << 20 & 0x3FFFFFFFFFFFFFFFL) | (n >>> 12);
    return new JobId(new java.util.UUID(msb, lsb));
  }

  void closeQuietly() {
    for (int i = toClose.size() - 1; i >= 0; i--) {
      try {
        toClose.get(i).close();
      } catch (Exception e) {
        // a consumer of a transport already closed: nothing left to release
      }
    }
    toClose.clear();
  }

  // ---- fixture ----

  /** The broker's URL with any options the fixture needs, but no {@code prefix}. */
  protected abstract String brokerUrl();

  /** Publishes {@code body} to {@code queue} under {@code prefix} with the broker's own client. */
  protected abstract void publishRaw(String prefix, String queue, byte[] body) throws Exception;

  /** Stops and starts the broker (its data kept) and returns once it accepts connections. */
  protected abstract void restartBroker() throws Exception;

  /** The broker's address, for {@link #openProxy()}. */
  protected abstract InetSocketAddress brokerAddress();

  /** A proxy to the broker that {@link #urlVia} connects through. */
  protected TcpProxy openProxy() throws IOException {
    return new TcpProxy(brokerAddress());
  }

  /** {@link #brokerUrl()} with its host replaced by the proxy's. */
  protected String urlVia(TcpProxy proxy) {
    String url = brokerUrl();
    InetSocketAddress a = brokerAddress();
    return url.replace(a.getHostString() + ":" + a.getPort(), "127.0.0.1:" + proxy.port());
  }

  /** How long a dead consumer's deliveries may take to reach another consumer. */
  protected Duration redeliveryAfterDeath() {
    return Duration.ofSeconds(30);
  }

  @BeforeEach
  void openTransport() {
    byte[] random = new byte[4];
    ThreadLocalRandom.current().nextBytes(random);
    prefix = "t" + HexFormat.of().formatHex(random);
    started = Instant.now();
    transport = JobTransports.open(withContractOptions(brokerUrl()));
  }

  @AfterEach
  void closeAll() {
    closeQuietly();
    try {
      transport.deleteQueue(QUEUE);
    } finally {
      transport.close();
    }
  }
}
