package dev.offload.server.internal;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.offload.JobEvent;
import dev.offload.Offload;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Relays job events from one subscription on the Offload to every listener (SSE streams,
 * extensions). Listeners run on the engine's thread, so each SSE stream gets a bounded queue: a
 * client too slow to keep up is cut off (it may reconnect) rather than slowing the engine down.
 */
public final class EventHub implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(EventHub.class);

  private final Set<Consumer<JobEvent>> listeners = ConcurrentHashMap.newKeySet();
  private final AutoCloseable subscription;
  private final Set<Stream> streams = ConcurrentHashMap.newKeySet();

  public EventHub(Offload offload) {
    this.subscription = offload.subscribe(this::publish);
  }

  private void publish(JobEvent event) {
    for (Consumer<JobEvent> l : listeners) {
      try {
        l.accept(event);
      } catch (RuntimeException e) {
        LOG.warn("job event listener failed; removing it", e);
        listeners.remove(l);
      }
    }
  }

  public AutoCloseable subscribe(Consumer<JobEvent> listener) {
    listeners.add(listener);
    return () -> listeners.remove(listener);
  }

  /** A queue of events for one SSE stream. */
  public Stream openStream(int capacity) {
    Stream s = new Stream(capacity);
    streams.add(s);
    listeners.add(s);
    return s;
  }

  /** Ends every open stream (shutdown) and stops relaying. */
  @Override
  public void close() {
    for (Stream s : streams) {
      s.end();
    }
    try {
      subscription.close();
    } catch (Exception e) {
      LOG.debug("closing the job event subscription failed", e);
    }
  }

  public static ObjectNode toJson(JobEvent e) {
    ObjectNode n = JsonNodeFactory.instance.objectNode();
    n.put("id", e.id().toString());
    n.put("task", e.task());
    n.put("queue", e.queue());
    n.put("state", e.state().wireName());
    n.put("attempt", e.attempt());
    if (e.progress() == null) {
      n.putNull("progress");
    } else {
      ObjectNode p = n.putObject("progress");
      p.put("fraction", e.progress().fraction());
      p.put("message", e.progress().message());
    }
    n.put("at", e.at() == null ? null : e.at().toString());
    return n;
  }

  /** One subscriber's bounded buffer. */
  public final class Stream implements Consumer<JobEvent>, AutoCloseable {
    private static final JobEvent END = new JobEvent(null, null, null, null, 0, null, null);

    private final BlockingQueue<JobEvent> queue;
    private volatile boolean overflowed;

    private Stream(int capacity) {
      this.queue = new ArrayBlockingQueue<>(capacity);
    }

    @Override
    public void accept(JobEvent event) {
      if (!queue.offer(event)) {
        overflowed = true;
        end();
      }
    }

    /**
     * The next event, {@code null} after {@code timeoutMillis} without one; throws {@link
     * EndOfStream} once the stream was ended.
     */
    public JobEvent next(long timeoutMillis) throws InterruptedException, EndOfStream {
      JobEvent e = queue.poll(timeoutMillis, TimeUnit.MILLISECONDS);
      if (e == END) {
        queue.offer(END);
        throw new EndOfStream(overflowed);
      }
      return e;
    }

    void end() {
      listeners.remove(this);
      queue.clear();
      queue.offer(END);
    }

    @Override
    public void close() {
      listeners.remove(this);
      streams.remove(this);
    }
  }

  /** The stream was ended by shutdown or because its client fell behind. */
  public static final class EndOfStream extends Exception {
    private final boolean overflowed;

    EndOfStream(boolean overflowed) {
      super(overflowed ? "client fell behind" : "server shutting down", null, false, false);
      this.overflowed = overflowed;
    }

    public boolean overflowed() {
      return overflowed;
    }
  }
}
