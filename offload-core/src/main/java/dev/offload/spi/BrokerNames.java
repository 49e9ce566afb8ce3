package dev.offload.spi;

import dev.offload.JobId;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.UUID;

/** Helpers every transport needs: broker-safe names for queues, and ids for id-less messages. */
public final class BrokerNames {
  private BrokerNames() {}

  /**
   * A name for {@code queue} that every broker accepts in a queue, subject, stream or topic name:
   * letters, digits, {@code -} and {@code _} kept, anything else replaced by {@code _}, plus a
   * short hash of the original when anything was replaced or the name is long, so two queues never
   * share a broker name.
   */
  public static String safe(String queue) {
    StringBuilder b = new StringBuilder(queue.length());
    boolean changed = false;
    for (int i = 0; i < queue.length(); i++) {
      char c = queue.charAt(i);
      boolean ok =
          (c >= 'a' && c <= 'z')
              || (c >= 'A' && c <= 'Z')
              || (c >= '0' && c <= '9')
              || c == '-'
              || c == '_';
      b.append(ok ? c : '_');
      changed |= !ok;
    }
    if (!changed && b.length() <= 60) {
      return b.toString();
    }
    String head = b.length() > 48 ? b.substring(0, 48) : b.toString();
    return head + "_" + HexFormat.of().formatHex(sha256(queue), 0, 5);
  }

  /**
   * A stable job id for a message published without one: a UUIDv7 whose time is the broker's
   * publish time and whose random bits come from the broker's coordinates of the message (stream
   * and sequence, topic-partition-offset), so every redelivery maps to the same job.
   */
  public static JobId derivedJobId(Instant publishedAt, String coordinates) {
    byte[] h = sha256(coordinates);
    long randA = ((h[0] & 0xFFL) << 4 | (h[1] & 0xF0L) >>> 4) & 0xFFFL;
    long msb = (publishedAt.toEpochMilli() << 16) | (0x7L << 12) | randA;
    long lsb = 0;
    for (int i = 2; i < 10; i++) {
      lsb = (lsb << 8) | (h[i] & 0xFFL);
    }
    lsb = (lsb & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
    return new JobId(new UUID(msb, lsb));
  }

  private static byte[] sha256(String s) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JDK", e);
    }
  }
}
