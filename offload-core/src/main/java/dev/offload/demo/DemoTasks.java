package dev.offload.demo;

import dev.offload.InputRules;
import dev.offload.InvalidInputException;
import dev.offload.Task;
import dev.offload.TaskContext;
import dev.offload.TaskRegistry;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;

/**
 * The built-in demo tasks {@code ./offload serve} starts with, also used by benchmarks and tests.
 * They are plain {@link Task}s: nothing here is special to the engine.
 *
 * <ul>
 *   <li>{@code spin} {@code {"ms": N}}: burns N ms of the calling thread's CPU time, returns {@code
 *       {"iterations": n}}.
 *   <li>{@code primes} {@code {"n": N}}: counts the primes up to N, returns {@code {"count": c}}.
 *   <li>{@code sha256} {@code {"text": "...", "rounds": N}}: a SHA-256 hash chain, returns {@code
 *       {"hex": "..."}}.
 *   <li>{@code flaky} {@code {"failures": k}}: fails its first k attempts, then returns {@code
 *       {"attempt": a}}; for trying retries.
 * </ul>
 */
public final class DemoTasks {
  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
  private static final int MAX_SPIN_MS = 3_600_000;
  private static final int MAX_PRIMES_N = 100_000_000;
  private static final int MAX_ROUNDS = 100_000_000;
  private static final int MAX_TEXT_CHARS = 65_536;
  private static final int MAX_FAILURES = 100;

  private DemoTasks() {}

  public record SpinInput(long ms) {}

  public record SpinOutput(long iterations) {}

  public record PrimesInput(int n) {}

  public record PrimesOutput(int count) {}

  public record Sha256Input(String text, int rounds) {}

  public record Sha256Output(String hex) {}

  public record FlakyInput(int failures) {}

  public record FlakyOutput(int attempt) {}

  public static final Task<SpinInput, SpinOutput> SPIN =
      Task.of(
              "spin",
              "Burns {\"ms\": N} milliseconds of CPU time; returns the loop count",
              SpinInput.class,
              SpinOutput.class,
              (in, ctx) -> new SpinOutput(spin(checkRange("ms", in.ms(), 0, MAX_SPIN_MS), ctx)))
          .withInputRules(InputRules.builder().range("ms", 0, MAX_SPIN_MS).build());

  public static final Task<PrimesInput, PrimesOutput> PRIMES =
      Task.of(
              "primes",
              "Counts the primes <= {\"n\": N}",
              PrimesInput.class,
              PrimesOutput.class,
              (in, ctx) ->
                  new PrimesOutput(
                      countPrimes((int) checkRange("n", in.n(), 0, MAX_PRIMES_N), ctx)))
          .withInputRules(InputRules.builder().range("n", 0, MAX_PRIMES_N).build());

  public static final Task<Sha256Input, Sha256Output> SHA256 =
      Task.of(
              "sha256",
              "A SHA-256 hash chain of {\"rounds\": N} over {\"text\": S}",
              Sha256Input.class,
              Sha256Output.class,
              (in, ctx) ->
                  new Sha256Output(
                      sha256Chain(
                          in.text() == null ? "" : in.text(),
                          (int) checkRange("rounds", in.rounds(), 0, MAX_ROUNDS),
                          ctx)))
          .withInputRules(
              InputRules.builder()
                  .range("rounds", 0, MAX_ROUNDS)
                  .maxLength("text", MAX_TEXT_CHARS)
                  .build());

  public static final Task<FlakyInput, FlakyOutput> FLAKY =
      Task.of(
              "flaky",
              "Fails its first {\"failures\": k} attempts, then succeeds",
              FlakyInput.class,
              FlakyOutput.class,
              (in, ctx) -> {
                if (ctx.attempt() <= in.failures()) {
                  throw new IllegalStateException(
                      "flaky: attempt "
                          + ctx.attempt()
                          + " of "
                          + in.failures()
                          + " planned failures");
                }
                return new FlakyOutput(ctx.attempt());
              })
          .withInputRules(InputRules.builder().range("failures", 0, MAX_FAILURES).build());

  public static List<Task<?, ?>> all() {
    return List.of(SPIN, PRIMES, SHA256, FLAKY);
  }

  public static TaskRegistry registry() {
    return TaskRegistry.builder().registerAll(all()).build();
  }

  /**
   * Burns {@code ms} milliseconds of this thread's CPU time (not wall time, so a busy machine does
   * not shorten the work) and returns how many loop rounds that took.
   */
  public static long spin(long ms, TaskContext ctx) {
    if (ms <= 0) {
      return 0;
    }
    long budgetNanos = ms * 1_000_000L;
    long start = THREADS.getCurrentThreadCpuTime();
    long iterations = 0;
    long sink = 0;
    while (true) {
      for (int i = 0; i < 1_000; i++) {
        sink += (sink ^ i) * 31 + 7;
      }
      iterations += 1_000;
      if (THREADS.getCurrentThreadCpuTime() - start >= budgetNanos) {
        break;
      }
      if (ctx != null && (iterations & 0xFFFF) == 0) {
        ctx.checkCancelled();
      }
    }
    return sink == 42 ? iterations + 1 : iterations;
  }

  static int countPrimes(int n, TaskContext ctx) {
    if (n < 2) {
      return 0;
    }
    boolean[] composite = new boolean[n + 1];
    int count = 0;
    for (int i = 2; i <= n; i++) {
      if (!composite[i]) {
        count++;
        for (long j = (long) i * i; j <= n; j += i) {
          composite[(int) j] = true;
        }
      }
      if (ctx != null && (i & 0xFFFFF) == 0) {
        ctx.checkCancelled();
      }
    }
    return count;
  }

  static String sha256Chain(String text, int rounds, TaskContext ctx) throws Exception {
    MessageDigest digest = MessageDigest.getInstance("SHA-256");
    byte[] value = text.getBytes(StandardCharsets.UTF_8);
    for (int i = 0; i < rounds; i++) {
      value = digest.digest(value);
      if (ctx != null && (i & 0xFFFF) == 0xFFFF) {
        ctx.checkCancelled();
      }
    }
    return HexFormat.of().formatHex(value);
  }

  private static long checkRange(String field, long value, long min, long max) {
    if (value < min || value > max) {
      throw new InvalidInputException(
          "input." + field, "must be between " + min + " and " + max + ", was " + value);
    }
    return value;
  }
}
