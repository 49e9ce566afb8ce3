package dev.offload.tck;

import dev.offload.Backoff;
import dev.offload.Job;
import dev.offload.JobId;
import dev.offload.JobSpec;
import dev.offload.JobState;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Objects;

/**
 * Builds new pending jobs for store tests, every field at a plain default unless set.
 *
 * <pre>{@code
 * Job job = JobBuilder.queued(clock).queue("mail").priority(5).idempotencyKey("k1").build();
 * Job later = JobBuilder.scheduled(clock, Duration.ofMinutes(1)).build();
 * }</pre>
 */
public final class JobBuilder {
  /** The task name jobs get unless set. */
  public static final String DEFAULT_TASK = "tck.echo";

  private final Instant now;
  private JobId id;
  private String task = DEFAULT_TASK;
  private String queue = JobSpec.DEFAULT_QUEUE;
  private JobState state = JobState.QUEUED;
  private int priority;
  private String input = "{}";
  private int maxAttempts = 3;
  private Backoff backoff = Backoff.DEFAULT;
  private Duration timeout;
  private String idempotencyKey;
  private Instant runAt;

  private JobBuilder(InstantSource clock) {
    this.now = clock.instant();
  }

  /** A {@code QUEUED} job created now, due now. */
  public static JobBuilder queued(InstantSource clock) {
    return new JobBuilder(clock);
  }

  /** A {@code SCHEDULED} job created now, due after {@code delay}. */
  public static JobBuilder scheduled(InstantSource clock, Duration delay) {
    JobBuilder b = new JobBuilder(clock);
    b.state = JobState.SCHEDULED;
    b.runAt = b.now.plus(delay);
    return b;
  }

  public JobBuilder id(JobId newId) {
    this.id = Objects.requireNonNull(newId, "id");
    return this;
  }

  public JobBuilder task(String newTask) {
    this.task = newTask;
    return this;
  }

  public JobBuilder queue(String newQueue) {
    this.queue = newQueue;
    return this;
  }

  public JobBuilder priority(int newPriority) {
    this.priority = newPriority;
    return this;
  }

  /** The input as JSON text, stored and returned verbatim. */
  public JobBuilder input(String json) {
    this.input = json;
    return this;
  }

  public JobBuilder maxAttempts(int attempts) {
    this.maxAttempts = attempts;
    return this;
  }

  public JobBuilder backoff(Backoff newBackoff) {
    this.backoff = newBackoff;
    return this;
  }

  public JobBuilder timeout(Duration newTimeout) {
    this.timeout = newTimeout;
    return this;
  }

  public JobBuilder idempotencyKey(String key) {
    this.idempotencyKey = key;
    return this;
  }

  /**
   * Sets when the job becomes due; the state stays as chosen ({@code QUEUED} jobs with a past
   * run-at model jobs that waited in the queue).
   */
  public JobBuilder runAt(Instant when) {
    this.runAt = when;
    return this;
  }

  public Job build() {
    return Job.submitted(
        id != null ? id : JobId.newId(now),
        task,
        queue,
        state,
        priority,
        input,
        maxAttempts,
        backoff,
        timeout,
        idempotencyKey,
        now,
        runAt != null ? runAt : now);
  }
}
