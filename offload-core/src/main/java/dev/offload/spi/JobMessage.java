package dev.offload.spi;

import dev.offload.Backoff;
import dev.offload.InvalidInputException;
import dev.offload.JobId;
import dev.offload.JobSpec;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * A job as a broker carries it: the JSON object of docs/BROKERS.md, which any producer can write
 * without Offload's code. Only {@code task} is required on the wire; unset options ({@code null})
 * take the engine's defaults when the job is created.
 *
 * <pre>{@code
 * JobMessage m = JobMessage.of(JobId.newId(now), "spin", "{\"ms\":20}").withQueue("bulk");
 * byte[] body = m.toJson();
 * }</pre>
 *
 * @param id the job id and the broker's de-duplication id; {@code null} only in a message from a
 *     foreign producer that gave none (the transport then derives one, see {@link
 *     Delivery#jobId()})
 * @param task registered task name
 * @param queue the queue; on receipt always the queue the message came from
 * @param priority higher first where the broker has priorities
 * @param input the task input as JSON text
 * @param runAt earliest start ({@code delay} on the wire is turned into this at receipt), or null
 * @param maxAttempts attempts before failing for good, or {@code null}
 * @param backoff delay policy between attempts, or {@code null}
 * @param timeout per-attempt time limit, or {@code null}
 * @param idempotencyKey a second job with the same key is the first job, or {@code null}
 * @param createdAt when the producer made it, or {@code null}
 */
public record JobMessage(
    JobId id,
    String task,
    String queue,
    int priority,
    String input,
    Instant runAt,
    Integer maxAttempts,
    Backoff backoff,
    Duration timeout,
    String idempotencyKey,
    Instant createdAt) {

  public JobMessage {
    if (task == null || task.isBlank()) {
      throw new InvalidInputException("task", "a task name is required");
    }
    Objects.requireNonNull(input, "input");
    checkQueue(queue);
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

  /** A message for the default queue with every option unset. */
  public static JobMessage of(JobId id, String task, String inputJson) {
    return new JobMessage(
        Objects.requireNonNull(id, "id"),
        task,
        JobSpec.DEFAULT_QUEUE,
        0,
        inputJson,
        null,
        null,
        null,
        null,
        null,
        null);
  }

  /** Checks a queue name the way {@link JobSpec} does (1-100 characters). */
  static void checkQueue(String queue) {
    if (queue == null || queue.isBlank() || queue.length() > 100) {
      throw new InvalidInputException("queue", "queue name must be 1-100 characters");
    }
  }

  public JobMessage withId(JobId newId) {
    return new JobMessage(
        newId,
        task,
        queue,
        priority,
        input,
        runAt,
        maxAttempts,
        backoff,
        timeout,
        idempotencyKey,
        createdAt);
  }

  public JobMessage withQueue(String newQueue) {
    return new JobMessage(
        id,
        task,
        newQueue,
        priority,
        input,
        runAt,
        maxAttempts,
        backoff,
        timeout,
        idempotencyKey,
        createdAt);
  }

  public JobMessage withPriority(int newPriority) {
    return new JobMessage(
        id,
        task,
        queue,
        newPriority,
        input,
        runAt,
        maxAttempts,
        backoff,
        timeout,
        idempotencyKey,
        createdAt);
  }

  public JobMessage withIdempotencyKey(String key) {
    return new JobMessage(
        id, task, queue, priority, input, runAt, maxAttempts, backoff, timeout, key, createdAt);
  }

  /** The wire form: a UTF-8 JSON object (unset options left out). */
  public byte[] toJson() {
    return JobMessageJson.write(this).getBytes(StandardCharsets.UTF_8);
  }

  /**
   * Reads the wire form. {@code queue} is the queue the message came from (a {@code queue} field
   * naming another one is an error); a {@code delay} counts from {@code publishedAt}.
   *
   * @throws InvalidInputException naming the field that does not fit
   */
  public static JobMessage fromJson(byte[] body, String queue, Instant publishedAt) {
    return JobMessageJson.read(body, queue, publishedAt);
  }
}
