package dev.offload;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.offload.internal.OffloadSettings;
import dev.offload.spi.JobStore;
import dev.offload.spi.TaskExecutor;
import java.time.Duration;
import java.time.InstantSource;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.random.RandomGenerator;

/**
 * Configures an {@link Offload}. Every setting has a sane default; a bad value fails at once,
 * naming the setting; nothing is silently corrected. Single use: {@link #build()} seals it.
 *
 * <pre>{@code
 * Offload offload = Offload.builder()
 *     .tasks(registry)
 *     .storeUrl("sqlite:./offload-data/offload.db")
 *     .threads(Runtime.getRuntime().availableProcessors())
 *     .leaseDuration(Duration.ofSeconds(10))
 *     .build();
 * }</pre>
 */
public final class OffloadBuilder {
  private TaskRegistry tasks = TaskRegistry.of();
  private JobStore store;
  private String storeUrl;
  private InstantSource clock = InstantSource.system();
  private RandomGenerator random = RandomGenerator.getDefault();
  private ObjectMapper objectMapper;
  private int threads = Runtime.getRuntime().availableProcessors();
  private Integer queueCapacity;
  private boolean threadsSet;
  private TaskExecutor executor;
  private final Map<String, TaskExecutor> executorsByTask = new HashMap<>();
  private boolean workers = true;
  private Integer workerConcurrency;
  private final Set<String> queues = new LinkedHashSet<>();
  private String workerId;
  private Duration leaseDuration = Duration.ofSeconds(10);
  private Duration pollInterval = Duration.ofSeconds(1);
  private Duration resultRetention = Duration.ofDays(1);
  private Duration shutdownGrace = Duration.ofSeconds(30);
  private int defaultMaxAttempts = 3;
  private Backoff defaultBackoff = Backoff.DEFAULT;
  private Duration defaultTimeout;
  private boolean built;

  OffloadBuilder() {}

  /** The tasks this instance can run (default: none). */
  public OffloadBuilder tasks(TaskRegistry registry) {
    this.tasks = Objects.requireNonNull(registry, "tasks");
    return this;
  }

  /** The job store (default: in-memory). The Offload owns it and closes it. */
  public OffloadBuilder store(JobStore jobStore) {
    this.store = Objects.requireNonNull(jobStore, "store");
    return this;
  }

  /**
   * Opens the store from a URL ({@code sqlite:PATH}, {@code postgresql://…}, {@code redis://…}).
   */
  public OffloadBuilder storeUrl(String url) {
    this.storeUrl = Objects.requireNonNull(url, "storeUrl");
    return this;
  }

  /** The clock for job times, leases and backoff (default: the system clock). */
  public OffloadBuilder clock(InstantSource source) {
    this.clock = Objects.requireNonNull(source, "clock");
    return this;
  }

  /** Randomness for retry jitter (tests pass a seeded one). */
  public OffloadBuilder random(RandomGenerator generator) {
    this.random = Objects.requireNonNull(generator, "random");
    return this;
  }

  /** The JSON mapper for task inputs and outputs (default: one with Java time support). */
  public OffloadBuilder objectMapper(ObjectMapper mapper) {
    this.objectMapper = Objects.requireNonNull(mapper, "objectMapper");
    return this;
  }

  /** Platform threads of the in-process CPU pool (default: the number of cores). */
  public OffloadBuilder threads(int count) {
    if (count < 1) {
      throw new IllegalArgumentException("threads must be >= 1, was " + count);
    }
    this.threads = count;
    this.threadsSet = true;
    return this;
  }

  /**
   * Attempts that may wait for a pool thread before submissions are refused (default: threads ×
   * 256).
   */
  public OffloadBuilder queueCapacity(int capacity) {
    if (capacity < 1) {
      throw new IllegalArgumentException("queueCapacity must be >= 1, was " + capacity);
    }
    this.queueCapacity = capacity;
    return this;
  }

  /** Replaces the in-process CPU pool as the default executor. The Offload closes it. */
  public OffloadBuilder executor(TaskExecutor taskExecutor) {
    this.executor = Objects.requireNonNull(taskExecutor, "executor");
    return this;
  }

  /** Runs one task on its own executor (e.g. child processes). The Offload closes it. */
  public OffloadBuilder executor(String taskName, TaskExecutor taskExecutor) {
    executorsByTask.put(
        Objects.requireNonNull(taskName, "taskName"),
        Objects.requireNonNull(taskExecutor, "executor"));
    return this;
  }

  /** Whether this instance runs background jobs itself (default: yes). */
  public OffloadBuilder workers(boolean enabled) {
    this.workers = enabled;
    return this;
  }

  /** Background jobs run at once by this instance (default: the pool's threads). */
  public OffloadBuilder workerConcurrency(int concurrency) {
    if (concurrency < 1) {
      throw new IllegalArgumentException("workerConcurrency must be >= 1, was " + concurrency);
    }
    this.workerConcurrency = concurrency;
    return this;
  }

  /** Queues this instance's worker takes jobs from (default: all). */
  public OffloadBuilder queues(Set<String> names) {
    queues.clear();
    queues.addAll(names);
    return this;
  }

  /** This worker's id, the owner of its leases (default: host-pid-random). */
  public OffloadBuilder workerId(String id) {
    this.workerId = Objects.requireNonNull(id, "workerId");
    return this;
  }

  /** How long a claimed job stays leased without a heartbeat (default: 10 s). */
  public OffloadBuilder leaseDuration(Duration duration) {
    requirePositive("leaseDuration", duration);
    this.leaseDuration = duration;
    return this;
  }

  /** The longest an idle worker waits before looking again, signal or not (default: 1 s). */
  public OffloadBuilder pollInterval(Duration interval) {
    requirePositive("pollInterval", interval);
    this.pollInterval = interval;
    return this;
  }

  /** How long finished jobs (and their results) are kept (default: 1 day). */
  public OffloadBuilder resultRetention(Duration retention) {
    requirePositive("resultRetention", retention);
    this.resultRetention = retention;
    return this;
  }

  /** How long {@link Offload#close()} lets running attempts finish (default: 30 s). */
  public OffloadBuilder shutdownGrace(Duration grace) {
    Objects.requireNonNull(grace, "shutdownGrace");
    if (grace.isNegative()) {
      throw new IllegalArgumentException("shutdownGrace must not be negative, was " + grace);
    }
    this.shutdownGrace = grace;
    return this;
  }

  /** Attempts for jobs that do not say (default: 3). */
  public OffloadBuilder defaultMaxAttempts(int attempts) {
    if (attempts < 1) {
      throw new IllegalArgumentException("defaultMaxAttempts must be >= 1, was " + attempts);
    }
    this.defaultMaxAttempts = attempts;
    return this;
  }

  /** Backoff for jobs that do not say (default: {@link Backoff#DEFAULT}). */
  public OffloadBuilder defaultBackoff(Backoff backoff) {
    this.defaultBackoff = Objects.requireNonNull(backoff, "defaultBackoff");
    return this;
  }

  /** Per-attempt time limit for jobs that do not say (default: none). */
  public OffloadBuilder defaultTimeout(Duration timeout) {
    requirePositive("defaultTimeout", timeout);
    this.defaultTimeout = timeout;
    return this;
  }

  /** Builds and starts the instance (workers included, when enabled). */
  public Offload build() {
    if (built) {
      throw new IllegalStateException("this builder was already used; make a new one");
    }
    if (store != null && storeUrl != null) {
      throw new IllegalArgumentException("set store(...) or storeUrl(...), not both");
    }
    if (!workers && workerConcurrency != null) {
      throw new IllegalArgumentException("workerConcurrency is set but workers(false)");
    }
    if (executor != null && (threadsSet || queueCapacity != null)) {
      throw new IllegalArgumentException(
          "threads and queueCapacity size the in-process CPU pool, which executor(...) replaces:"
              + " size the custom executor instead");
    }
    for (String taskName : executorsByTask.keySet()) {
      if (tasks.find(taskName).isEmpty()) {
        throw new IllegalArgumentException(
            "executor(\""
                + taskName
                + "\", ...) names no registered task; registered: "
                + tasks.all().stream().map(Task::name).sorted().toList());
      }
    }
    if (pollInterval.compareTo(leaseDuration) >= 0) {
      throw new IllegalArgumentException(
          "pollInterval ("
              + pollInterval
              + ") must be shorter than leaseDuration ("
              + leaseDuration
              + ")");
    }
    built = true;
    OffloadSettings settings =
        new OffloadSettings(
            tasks,
            store,
            storeUrl,
            clock,
            random,
            objectMapper,
            threads,
            queueCapacity != null ? queueCapacity : threads * 256,
            executor,
            Map.copyOf(executorsByTask),
            workers,
            workerConcurrency != null ? workerConcurrency : threads,
            Set.copyOf(queues),
            workerId,
            leaseDuration,
            pollInterval,
            resultRetention,
            shutdownGrace,
            defaultMaxAttempts,
            defaultBackoff,
            defaultTimeout);
    return dev.offload.internal.OffloadEngine.start(settings);
  }

  private static void requirePositive(String name, Duration d) {
    Objects.requireNonNull(d, name);
    if (d.isNegative() || d.isZero()) {
      throw new IllegalArgumentException(name + " must be positive, was " + d);
    }
  }
}
