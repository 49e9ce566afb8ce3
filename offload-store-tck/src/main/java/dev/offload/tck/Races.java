package dev.offload.tck;

import java.time.Duration;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorCompletionService;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/** Starts several threads on one store at the same instant, for the race tests. */
final class Races {
  /** No race test runs longer than this; a hung store fails instead of stalling the build. */
  static final Duration DEADLINE = Duration.ofSeconds(60);

  private Races() {}

  interface Side<T> {
    T run(int index) throws Exception;
  }

  /**
   * Runs {@code threads} copies of {@code body}, released together, and returns their results by
   * index. The first failure stops the others (by interrupt) and is rethrown at once.
   */
  static <T> List<T> runConcurrently(int threads, Side<T> body) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      ExecutorCompletionService<Map.Entry<Integer, T>> done = new ExecutorCompletionService<>(pool);
      CountDownLatch ready = new CountDownLatch(threads);
      CountDownLatch go = new CountDownLatch(1);
      for (int i = 0; i < threads; i++) {
        int index = i;
        Callable<Map.Entry<Integer, T>> task =
            () -> {
              ready.countDown();
              go.await();
              return new AbstractMap.SimpleEntry<>(index, body.run(index));
            };
        done.submit(task);
      }
      ready.await(DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
      go.countDown();
      List<T> results = new ArrayList<>(Collections.nCopies(threads, null));
      for (int i = 0; i < threads; i++) {
        Future<Map.Entry<Integer, T>> f = done.poll(DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
        if (f == null) {
          throw new AssertionError("threads still running after " + DEADLINE);
        }
        try {
          Map.Entry<Integer, T> r = f.get();
          results.set(r.getKey(), r.getValue());
        } catch (ExecutionException e) {
          if (e.getCause() instanceof Error error) {
            throw error;
          }
          throw e;
        }
      }
      return results;
    } finally {
      pool.shutdownNow();
    }
  }
}
