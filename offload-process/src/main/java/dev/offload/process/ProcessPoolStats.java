package dev.offload.process;

/**
 * The state of a {@link ProcessExecutor}'s pool.
 *
 * @param size the configured number of children
 * @param alive children whose process is running (starting, idle, busy or on the way out)
 * @param busy children running an attempt (including ones asked to cancel)
 * @param idle children ready for work
 * @param queued attempts waiting for a child
 * @param queueCapacity attempts that may wait before {@code execute} refuses
 * @param tasksRun attempts finished by a child (result or error)
 * @param restarts children spawned to replace one (crash, kill, recycle)
 * @param crashes children that exited on their own when they were not asked to
 * @param timeouts children killed at the hard time limit
 * @param memoryKills attempts stopped for going over the memory limit
 * @param recycled children retired after their task budget
 */
public record ProcessPoolStats(
    int size,
    int alive,
    int busy,
    int idle,
    int queued,
    int queueCapacity,
    long tasksRun,
    long restarts,
    long crashes,
    long timeouts,
    long memoryKills,
    long recycled) {}
