package dev.offload.process;

import java.time.Instant;

/**
 * A snapshot of one child process, for dashboards and metrics.
 *
 * @param slot the pool slot (0 to size - 1) this child fills; a replacement takes the same slot
 * @param pid the operating system's process id
 * @param state what it is doing
 * @param tasksRun attempts it has finished (result or error)
 * @param startedAt when it was spawned
 * @param task the task it is running, or {@code null}
 * @param rssBytes resident memory of the child and its descendants, or -1 when unknown
 */
public record ChildInfo(
    int slot,
    long pid,
    ChildState state,
    long tasksRun,
    Instant startedAt,
    String task,
    long rssBytes) {}
