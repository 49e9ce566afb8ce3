package dev.offload.process.internal;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The sealed configuration of a process pool; built and checked by {@code ProcessExecutor.Builder}.
 *
 * @param name a label for threads and logs
 * @param command the child's full command line, memory wrapper included
 * @param javaChild whether the child is the Offload Java child main (its exit code 3 means OOM)
 * @param softTimeLimit when to ask the attempt to stop, or null
 * @param hardTimeLimit when to kill the child, or null
 * @param maxMemoryBytes the memory limit applied at spawn (-Xmx or RLIMIT_AS), or 0
 * @param maxRssBytes the resident-memory limit the watchdog enforces, or 0
 * @param recycleAfter tasks after which a child is replaced, or 0 for never
 * @param heartbeatTimeout silence after which a child counts as hung, or null
 */
public record PoolSettings(
    String name,
    List<String> command,
    Map<String, String> environment,
    Path workingDirectory,
    boolean javaChild,
    int size,
    int queueCapacity,
    Duration softTimeLimit,
    Duration hardTimeLimit,
    Duration cancelGrace,
    long maxMemoryBytes,
    long maxRssBytes,
    int recycleAfter,
    Duration backoffInitial,
    Duration backoffMax,
    int maxStartFailures,
    Duration startupTimeout,
    Duration heartbeatInterval,
    Duration heartbeatTimeout,
    Duration watchdogInterval,
    Duration shutdownGrace,
    int stderrTailBytes,
    ObjectMapper mapper) {
  public PoolSettings {
    command = List.copyOf(command);
    environment = Map.copyOf(environment);
  }
}
