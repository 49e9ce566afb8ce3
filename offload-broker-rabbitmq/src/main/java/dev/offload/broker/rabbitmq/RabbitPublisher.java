package dev.offload.broker.rabbitmq;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import dev.offload.BrokerException;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeoutException;

/**
 * The one confirm-mode channel a transport publishes on. A batch is published then confirmed as a
 * whole ({@code waitForConfirmsOrDie}), which pipelines it; publishes are serialised because a
 * channel's confirms are not to be shared between concurrent batches. A channel the broker closed
 * (a failed declare) is replaced on the next call.
 */
final class RabbitPublisher {
  private static final long CONFIRM_MILLIS = 10_000;

  record Out(String queue, AMQP.BasicProperties props, byte[] body) {}

  private final Connection connection;
  private final String display;
  private final Set<String> delays = ConcurrentHashMap.newKeySet();
  private Channel channel;

  RabbitPublisher(Connection connection, String display) throws IOException {
    this.connection = connection;
    this.display = display;
  }

  private Channel channel() throws IOException {
    if (channel == null || !channel.isOpen()) {
      channel = connection.createChannel();
      channel.confirmSelect();
    }
    return channel;
  }

  synchronized void publish(List<Out> batch) {
    try {
      Channel ch = channel();
      for (Out o : batch) {
        ch.basicPublish("", o.queue(), false, o.props(), o.body());
      }
      ch.waitForConfirmsOrDie(CONFIRM_MILLIS);
    } catch (IOException | TimeoutException | RuntimeException e) {
      throw new BrokerException(
          "RabbitMQ at " + display + " did not confirm " + batch.size() + " message(s): " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new BrokerException("interrupted while publishing to " + display, e);
    }
  }

  synchronized void declare(String queue, Map<String, Object> args) {
    try {
      channel().queueDeclare(queue, true, false, false, args);
      delays.add(queue);
    } catch (IOException | RuntimeException e) {
      throw new BrokerException("cannot declare " + queue + " on " + display + ": " + e, e);
    }
  }

  /** Delay queues this process declared whose names start with {@code prefix}. */
  List<String> declaredDelays(String prefix) {
    return delays.stream().filter(d -> d.startsWith(prefix)).toList();
  }

  synchronized void close() {
    try {
      if (channel != null && channel.isOpen()) {
        channel.close();
      }
    } catch (IOException | TimeoutException | RuntimeException e) {
      // the connection closes right after; nothing to hand back on this channel
    }
  }
}
