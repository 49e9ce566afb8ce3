package dev.offload.spi;

import dev.offload.Job;

/**
 * The outcome of an enqueue.
 *
 * @param job the stored job: the new one, or the earlier job with the same idempotency key
 * @param created whether {@code job} was created by this call
 */
public record EnqueueResult(Job job, boolean created) {}
