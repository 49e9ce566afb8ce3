package dev.offload.tck.cluster;

import dev.offload.Task;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The task cluster workers run: it records who ran which attempt and returns that as its result.
 */
public final class ClusterTasks {
  /** Input: the job's number and how long to burn. */
  public record Work(int n, long spinMicros) {}

  /** Output: the attempt and worker that produced it, to catch stale attempts overwriting. */
  public record Done(int n, int attempt, String worker) {}

  private static volatile BufferedWriter out;
  private static final Object LOCK = new Object();
  private static final String WORKER = "pid-" + ProcessHandle.current().pid();

  public static final Task<Work, Done> RECORD =
      Task.of(
          "cluster.record",
          Work.class,
          Done.class,
          (in, ctx) -> {
            long until = System.nanoTime() + in.spinMicros() * 1_000;
            while (System.nanoTime() < until) {
              Thread.onSpinWait();
            }
            record(ctx.jobId() + " " + ctx.attempt() + " " + WORKER);
            return new Done(in.n(), ctx.attempt(), WORKER);
          });

  private ClusterTasks() {}

  static void recordTo(Path file) throws IOException {
    out =
        Files.newBufferedWriter(
            file, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
  }

  private static void record(String line) {
    BufferedWriter w = out;
    if (w == null) {
      return;
    }
    synchronized (LOCK) {
      try {
        w.write(line);
        w.newLine();
        // Flushed per line: a worker killed with SIGKILL must still have told us what it ran.
        w.flush();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  static void flush() throws IOException {
    BufferedWriter w = out;
    if (w != null) {
      synchronized (LOCK) {
        w.flush();
      }
    }
  }
}
