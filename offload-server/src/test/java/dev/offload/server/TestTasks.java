package dev.offload.server;

import dev.offload.Task;
import dev.offload.TaskRegistry;
import dev.offload.demo.DemoTasks;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** Tasks for server tests: the demo tasks plus ones that sleep (and notice cancel) or throw. */
final class TestTasks {
  /** Tokens of {@code sleep} calls that were cancelled, and of those that started. */
  static final Set<String> CANCELLED = ConcurrentHashMap.newKeySet();

  static final Set<String> STARTED = ConcurrentHashMap.newKeySet();

  record SleepIn(long ms, String token) {}

  record SleepOut(long slept) {}

  record Nested(
      String name, List<Integer> sizes, Map<String, Double> weights, Kind kind, SleepIn inner) {}

  enum Kind {
    SMALL,
    LARGE
  }

  static final Task<SleepIn, SleepOut> SLEEP =
      Task.of(
          "sleep",
          "Sleeps ms, noticing cancellation",
          SleepIn.class,
          SleepOut.class,
          (in, ctx) -> {
            if (in.token() != null) {
              STARTED.add(in.token());
            }
            long end = System.nanoTime() + in.ms() * 1_000_000;
            try {
              while (System.nanoTime() < end) {
                if (ctx.isCancelled()) {
                  throw new java.util.concurrent.CancellationException("cancelled");
                }
                Thread.sleep(5);
              }
            } catch (InterruptedException | java.util.concurrent.CancellationException e) {
              if (in.token() != null) {
                CANCELLED.add(in.token());
              }
              throw e;
            }
            return new SleepOut(in.ms());
          });

  static final Task<SleepIn, SleepOut> BOOM =
      Task.of(
          "boom",
          SleepIn.class,
          SleepOut.class,
          (in, ctx) -> {
            throw new IllegalStateException("kaboom at " + in.ms());
          });

  static final Task<Nested, SleepOut> NESTED =
      Task.of("nested", Nested.class, SleepOut.class, (in, ctx) -> new SleepOut(0));

  static TaskRegistry registry() {
    return TaskRegistry.builder()
        .registerAll(DemoTasks.all())
        .register(SLEEP)
        .register(BOOM)
        .register(NESTED)
        .build();
  }

  private TestTasks() {}
}
