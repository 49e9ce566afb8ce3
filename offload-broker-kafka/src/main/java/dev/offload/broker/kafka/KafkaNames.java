package dev.offload.broker.kafka;

import dev.offload.spi.BrokerNames;

/** Topics of queue {@code q}: {@code PREFIX.q}, {@code PREFIX.q.retry}, {@code PREFIX.q.dlq}. */
record KafkaNames(String prefix, String queue) {
  String main() {
    return prefix + "." + BrokerNames.safe(queue);
  }

  String retry() {
    return main() + ".retry";
  }

  String dead() {
    return main() + ".dlq";
  }
}
