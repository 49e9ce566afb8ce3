package dev.offload.internal;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.offload.Backoff;
import dev.offload.TaskRegistry;
import dev.offload.spi.JobStore;
import dev.offload.spi.TaskExecutor;
import java.time.Duration;
import java.time.InstantSource;
import java.util.Map;
import java.util.Set;
import java.util.random.RandomGenerator;

/**
 * The sealed configuration an {@link OffloadEngine} starts from; built by {@code OffloadBuilder}.
 */
public record OffloadSettings(
    TaskRegistry tasks,
    JobStore store,
    String storeUrl,
    InstantSource clock,
    RandomGenerator random,
    ObjectMapper objectMapper,
    int threads,
    int queueCapacity,
    TaskExecutor executor,
    Map<String, TaskExecutor> executorsByTask,
    boolean workers,
    int workerConcurrency,
    Set<String> queues,
    String workerId,
    Duration leaseDuration,
    Duration pollInterval,
    Duration resultRetention,
    Duration shutdownGrace,
    int defaultMaxAttempts,
    Backoff defaultBackoff,
    Duration defaultTimeout) {}
