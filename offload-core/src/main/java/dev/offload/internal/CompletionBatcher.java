package dev.offload.internal;

import dev.offload.Job;
import dev.offload.JobId;
import dev.offload.spi.Completion;
import dev.offload.spi.JobStore;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes attempt completions to the store in batches (group commit): whatever ended while the
 * previous batch was being written goes in the next one, so a busy worker pays one store round trip
 * for many jobs and an idle one pays no waiting. The callback returns each job as written (or
 * {@code null}) and the batcher publishes it in the job's place in the event order ({@link
 * EventHub#writing}). A failed write is retried with the same batch; a completion whose lease
 * lapsed meanwhile is rejected by the store and the job runs again.
 */
final class CompletionBatcher implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(CompletionBatcher.class);
  private static final int MAX_BATCH = 512;

  /** A completion with the job it applies to (as claimed), to report the change. */
  record Pending(Job job, Completion completion) {}

  private final JobStore store;
  private final InstantSource clock;
  private final EventHub events;
  private final BiFunction<Pending, Boolean, Job> onWritten;
  private final LinkedBlockingQueue<Pending> queue = new LinkedBlockingQueue<>();
  private final Thread thread;
  private volatile boolean closing;

  CompletionBatcher(
      JobStore store,
      InstantSource clock,
      EventHub events,
      BiFunction<Pending, Boolean, Job> onWritten) {
    this.store = store;
    this.clock = clock;
    this.events = events;
    this.onWritten = onWritten;
    this.thread = Thread.ofPlatform().daemon().name("offload-completions").unstarted(this::loop);
    thread.start();
  }

  void add(Job job, Completion completion) {
    queue.add(new Pending(job, completion));
  }

  private void loop() {
    List<Pending> batch = new ArrayList<>();
    while (!closing || !queue.isEmpty()) {
      try {
        Pending first = queue.poll(100, TimeUnit.MILLISECONDS);
        if (first == null) {
          continue;
        }
        batch.add(first);
        queue.drainTo(batch, MAX_BATCH - 1);
        write(batch);
        batch.clear();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  private void write(List<Pending> batch) throws InterruptedException {
    List<Completion> completions = new ArrayList<>(batch.size());
    List<JobId> ids = new ArrayList<>(batch.size());
    for (Pending p : batch) {
      completions.add(p.completion());
      ids.add(p.job().id());
    }
    // No lock is held across the write: the hub only holds back other threads' events of these
    // jobs until onWritten has published ours (see EventHub).
    EventHub.Writes writes = events.writing(ids);
    long backoffMillis = 50;
    while (true) {
      List<Boolean> applied;
      try {
        applied = store.complete(completions, clock.instant());
      } catch (RuntimeException e) {
        if (closing && backoffMillis > 1_000) {
          log.error(
              "giving up writing {} completions at shutdown; their jobs will be re-run after"
                  + " their leases expire",
              batch.size(),
              e);
          for (int i = 0; i < batch.size(); i++) {
            writes.done(i, onWritten.apply(batch.get(i), false), clock.instant());
          }
          return;
        }
        log.warn(
            "writing {} completions failed; retrying in {} ms", batch.size(), backoffMillis, e);
        Thread.sleep(backoffMillis);
        backoffMillis = Math.min(backoffMillis * 2, 5_000);
        continue;
      }
      for (int i = 0; i < batch.size(); i++) {
        writes.done(i, onWritten.apply(batch.get(i), applied.get(i)), clock.instant());
      }
      return;
    }
  }

  /** Writes what is queued, then stops; waits up to {@code timeout}. */
  @Override
  public void close() {
    close(Duration.ofSeconds(10));
  }

  void close(Duration timeout) {
    // No interrupt: it could break a store write in flight; the loop polls every 100 ms.
    closing = true;
    try {
      thread.join(timeout.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
