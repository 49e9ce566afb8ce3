package dev.offload.spi;

/**
 * A message parked in a queue's dead-letter queue: never delivered again by the transport.
 *
 * @param body the message as published (JSON text; may be malformed, which is one way to get here)
 * @param reason why it was parked ({@code "delivered 5 times"}, {@code "invalid message: …"}, or
 *     what {@link Delivery#deadLetter} was given)
 * @param deliveries deliveries counted before it was parked
 */
public record DeadLetter(String body, String reason, int deliveries) {}
