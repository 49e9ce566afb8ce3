package dev.offload.broker.kafka;

import dev.offload.spi.AbstractDelivery;
import dev.offload.spi.JobMessage;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A record handed to the worker. Settling it lets the commit pass its offset, only after any copy
 * it needs (retry, dead letter) is in Kafka, so a crash in between redelivers rather than loses.
 */
final class KafkaDelivery extends AbstractDelivery {
  private static final Logger log = LoggerFactory.getLogger(KafkaDelivery.class);
  private final KafkaQueueConsumer owner;
  private final TopicPartition partition;
  private final long offset;
  private final int generation;
  private final byte[] body;

  KafkaDelivery(
      KafkaQueueConsumer owner,
      TopicPartition partition,
      long offset,
      int generation,
      JobMessage message,
      byte[] body,
      int count,
      Instant published) {
    super(message, count, published, owner.transport().maxDeliveries());
    this.owner = owner;
    this.partition = partition;
    this.offset = offset;
    this.generation = generation;
    this.body = body;
  }

  TopicPartition partition() {
    return partition;
  }

  long offset() {
    return offset;
  }

  int generation() {
    return generation;
  }

  @Override
  protected void doAck() {
    owner.finished(this);
  }

  @Override
  protected void doNack(Duration delay) {
    RecordHeaders h = new RecordHeaders();
    h.add(
        KafkaTransport.DUE,
        Long.toString(System.currentTimeMillis() + delay.toMillis())
            .getBytes(StandardCharsets.UTF_8));
    h.add(
        KafkaTransport.DELIVERIES,
        Integer.toString(deliveryCount()).getBytes(StandardCharsets.UTF_8));
    h.add(
        KafkaTransport.PUBLISHED,
        Long.toString(publishedAt().toEpochMilli()).getBytes(StandardCharsets.UTF_8));
    h.add(KafkaTransport.JOB_ID, jobId().toString().getBytes(StandardCharsets.UTF_8));
    KafkaTransport t = owner.transport();
    t.sendAndWait(
        t.names(queue()).retry(), jobId().toString(), body, h, "a retry of job " + jobId());
    owner.finished(this);
  }

  @Override
  protected void doInProgress() {
    // Kafka redelivers only when the partition moves; the poll thread keeps the member alive.
  }

  @Override
  protected void doDeadLetter(String reason) {
    KafkaTransport t = owner.transport();
    t.sendAndWait(
        t.names(queue()).dead(),
        jobId().toString(),
        body,
        KafkaQueueConsumer.deadHeaders(reason, deliveryCount(), jobId()),
        "park job " + jobId());
    owner.finished(this);
  }

  @Override
  protected boolean isClosed() {
    return owner.isClosed() || owner.generation(partition) != generation;
  }

  @Override
  protected void released() {
    owner.released();
  }

  @Override
  protected void lost(String operation, RuntimeException cause) {
    log.warn(
        "Kafka {} of job {} failed ({}); the record is redelivered after a restart or rebalance",
        operation,
        jobId(),
        cause.toString());
  }
}
