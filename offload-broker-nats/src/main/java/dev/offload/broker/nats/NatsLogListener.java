package dev.offload.broker.nats;

import io.nats.client.Connection;
import io.nats.client.ErrorListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Connection trouble to the log (jnats prints to stderr otherwise). */
final class NatsLogListener implements ErrorListener {
  private static final Logger log = LoggerFactory.getLogger(NatsLogListener.class);

  @Override
  public void errorOccurred(Connection conn, String error) {
    log.warn("NATS error: {}", error);
  }

  @Override
  public void exceptionOccurred(Connection conn, Exception exp) {
    log.debug("NATS connection exception: {}", exp.toString());
  }
}
