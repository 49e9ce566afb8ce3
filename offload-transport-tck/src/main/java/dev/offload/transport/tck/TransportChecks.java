package dev.offload.transport.tck;

import dev.offload.Backoff;
import dev.offload.JobId;
import dev.offload.spi.ConsumeRequest;
import dev.offload.spi.JobMessage;
import dev.offload.spi.JobTransport;
import dev.offload.spi.TransportConsumer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** State and helpers of {@link TransportContract}, kept apart so the suite reads as its tests. */
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
}
