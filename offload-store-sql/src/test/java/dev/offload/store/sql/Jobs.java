package dev.offload.store.sql;

import dev.offload.Backoff;
import dev.offload.Job;
import dev.offload.JobId;
import dev.offload.JobState;
import java.time.Duration;
import java.time.Instant;

/** Test-data builder for stored jobs. */
public record Jobs(
    String task,
    String queue,
    int priority,
    String input,
    int maxAttempts,
    Duration timeout,
    String idempotencyKey,
    Duration delay) {

  public static Jobs job() {
    return new Jobs("echo", "default", 0, "{\"n\": 1}", 3, null, null, Duration.ZERO);
  }

  public Jobs task(String t) {
    return new Jobs(t, queue, priority, input, maxAttempts, timeout, idempotencyKey, delay);
  }

  public Jobs queue(String q) {
    return new Jobs(task, q, priority, input, maxAttempts, timeout, idempotencyKey, delay);
  }

  public Jobs priority(int p) {
    return new Jobs(task, queue, p, input, maxAttempts, timeout, idempotencyKey, delay);
  }

  public Jobs input(String json) {
    return new Jobs(task, queue, priority, json, maxAttempts, timeout, idempotencyKey, delay);
  }

  public Jobs maxAttempts(int n) {
    return new Jobs(task, queue, priority, input, n, timeout, idempotencyKey, delay);
  }

  public Jobs timeout(Duration t) {
    return new Jobs(task, queue, priority, input, maxAttempts, t, idempotencyKey, delay);
  }

  public Jobs key(String k) {
    return new Jobs(task, queue, priority, input, maxAttempts, timeout, k, delay);
  }

  public Jobs delay(Duration d) {
    return new Jobs(task, queue, priority, input, maxAttempts, timeout, idempotencyKey, d);
  }

  /** The job as submitted at {@code now}: queued, or scheduled when delayed. */
  public Job at(Instant now) {
    Instant runAt = now.plus(delay);
    return Job.submitted(
        JobId.newId(now),
        task,
        queue,
        delay.isZero() ? JobState.QUEUED : JobState.SCHEDULED,
        priority,
        input,
        maxAttempts,
        Backoff.of(Duration.ofMillis(250), Duration.ofSeconds(10)),
        timeout,
        idempotencyKey,
        now,
        runAt);
  }
}
