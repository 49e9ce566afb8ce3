package dev.offload.process.internal;

import java.nio.charset.StandardCharsets;

/**
 * The last bytes a child wrote to stderr, bounded so a chatty child cannot exhaust the parent's
 * memory. Positions are absolute byte counts, so an attempt can ask for "what was written since I
 * started" and get it if the ring still holds it.
 */
final class StderrTail {
  private final byte[] ring;
  private long written;

  StderrTail(int capacity) {
    this.ring = new byte[capacity];
  }

  synchronized void append(byte[] buf, int off, int len) {
    for (int i = 0; i < len; i++) {
      ring[(int) ((written + i) % ring.length)] = buf[off + i];
    }
    written += len;
  }

  synchronized long position() {
    return written;
  }

  /** What was written since {@code mark}, or the whole ring (marked as cut) if it overflowed. */
  synchronized String since(long mark) {
    long from = Math.max(mark, written - ring.length);
    int len = (int) (written - from);
    byte[] out = new byte[len];
    for (int i = 0; i < len; i++) {
      out[i] = ring[(int) ((from + i) % ring.length)];
    }
    String text = new String(out, StandardCharsets.UTF_8);
    return from > mark ? "[... earlier output cut ...]\n" + text : text;
  }

  String tail() {
    return since(0);
  }
}
