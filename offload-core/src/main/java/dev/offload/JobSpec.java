package dev.offload;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * What a caller asks for when submitting a background job. Immutable; the {@code with}-style
 * methods return copies. Unset options ({@code null}) take the engine's defaults.
 *
 * <pre>{@code
 * JobSpec spec = JobSpec.of("hash", new HashInput("abc", 1000))
 *     .queue("bulk").priority(5).maxAttempts(5).timeout(Duration.ofSeconds(30))
 *     .idempotencyKey("order-42");
 * }</pre>
 *
 * @param task registered task name
 * @param input the task input: a record or any Jackson-mappable value, or a {@code JsonNode}
 * @param queue queue name, or {@code null} for {@code "default"}
 * @param priority higher runs first among due jobs of one queue
 * @param runAt earliest start, or {@code null} for now
 * @param delay start after this delay, or {@code null}; exclusive with {@code runAt}
 * @param maxAttempts attempts before failing for good, or {@code null} for the default
 * @param backoff delay between attempts, or {@code null} for the default
 * @param timeout per-attempt time limit, or {@code null} for the default (none)
 * @param idempotencyKey a second submit with the same key returns the first job, or {@code null}
 */
public record JobSpec(
    String task,
    Object input,
    String queue,
    int priority,
    Instant runAt,
    Duration delay,
    Integer maxAttempts,
    Backoff backoff,
    Duration timeout,
    String idempotencyKey) {

  public static final String DEFAULT_QUEUE = "default";

  public JobSpec {
    if (task == null || task.isBlank()) {
      throw new InvalidInputException("task", "a task name is required");
    }
    if (queue != null && (queue.isBlank() || queue.length() > 100)) {
      throw new InvalidInputException("queue", "queue name must be 1-100 characters");
    }
    if (runAt != null && delay != null) {
      throw new InvalidInputException("delay", "give runAt or delay, not both");
    }
    if (delay != null && delay.isNegative()) {
      throw new InvalidInputException("delay", "must not be negative, was " + delay);
    }
    if (maxAttempts != null && maxAttempts < 1) {
      throw new InvalidInputException("maxAttempts", "must be >= 1, was " + maxAttempts);
    }
    if (timeout != null && (timeout.isNegative() || timeout.isZero())) {
      throw new InvalidInputException("timeout", "must be positive, was " + timeout);
    }
    if (idempotencyKey != null && (idempotencyKey.isBlank() || idempotencyKey.length() > 200)) {
      throw new InvalidInputException("idempotencyKey", "must be 1-200 characters");
    }
  }

  /** A job of {@code task} with {@code input} and every option at its default. */
  public static JobSpec of(String task, Object input) {
    return new JobSpec(task, input, null, 0, null, null, null, null, null, null);
  }

  public JobSpec queue(String newQueue) {
    return new JobSpec(
        task,
        input,
        newQueue,
        priority,
        runAt,
        delay,
        maxAttempts,
        backoff,
        timeout,
        idempotencyKey);
  }

  public JobSpec priority(int newPriority) {
    return new JobSpec(
        task,
        input,
        queue,
        newPriority,
        runAt,
        delay,
        maxAttempts,
        backoff,
        timeout,
        idempotencyKey);
  }

  public JobSpec runAt(Instant when) {
    return new JobSpec(
        task, input, queue, priority, when, null, maxAttempts, backoff, timeout, idempotencyKey);
  }

  public JobSpec delay(Duration newDelay) {
    return new JobSpec(
        task,
        input,
        queue,
        priority,
        null,
        newDelay,
        maxAttempts,
        backoff,
        timeout,
        idempotencyKey);
  }

  public JobSpec maxAttempts(int attempts) {
    return new JobSpec(
        task, input, queue, priority, runAt, delay, attempts, backoff, timeout, idempotencyKey);
  }

  public JobSpec backoff(Backoff newBackoff) {
    return new JobSpec(
        task,
        input,
        queue,
        priority,
        runAt,
        delay,
        maxAttempts,
        Objects.requireNonNull(newBackoff, "backoff"),
        timeout,
        idempotencyKey);
  }

  public JobSpec timeout(Duration newTimeout) {
    return new JobSpec(
        task,
        input,
        queue,
        priority,
        runAt,
        delay,
        maxAttempts,
        backoff,
        newTimeout,
        idempotencyKey);
  }

  public JobSpec idempotencyKey(String key) {
    return new JobSpec(
        task, input, queue, priority, runAt, delay, maxAttempts, backoff, timeout, key);
  }
}
