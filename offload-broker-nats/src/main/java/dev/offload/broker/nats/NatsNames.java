package dev.offload.broker.nats;

import dev.offload.spi.BrokerNames;

/**
 * Where queue {@code q} lives in JetStream: stream {@code PREFIX_q} with subject {@code
 * PREFIX.jobs.q} and a durable consumer {@code workers}; dead letters in stream {@code
 * PREFIX_q_dlq} on subject {@code PREFIX.dead.q}.
 */
record NatsNames(String prefix, String queue) {
  static final String CONSUMER = "workers";

  String safe() {
    return BrokerNames.safe(queue);
  }

  String stream() {
    return prefix + "_" + safe();
  }

  String subject() {
    return prefix + ".jobs." + safe();
  }

  String deadStream() {
    return stream() + "_dlq";
  }

  String deadSubject() {
    return prefix + ".dead." + safe();
  }
}
