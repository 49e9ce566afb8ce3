package dev.offload.process.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class StderrTailTest {
  static void append(StderrTail t, String s) {
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    t.append(b, 0, b.length);
  }

  @Test
  void keepsWhatWasWrittenSinceAMark() {
    StderrTail t = new StderrTail(16);
    append(t, "before\n");
    long mark = t.position();
    append(t, "during\n");
    assertThat(t.since(mark)).isEqualTo("during\n");
    assertThat(t.tail()).isEqualTo("before\nduring\n");
  }

  @Test
  void keepsOnlyTheLastBytesAndSaysSo() {
    StderrTail t = new StderrTail(8);
    append(t, "0123456789abcdef");
    assertThat(t.tail()).isEqualTo("[... earlier output cut ...]\n89abcdef");
    assertThat(t.since(t.position())).isEmpty();
  }
}
