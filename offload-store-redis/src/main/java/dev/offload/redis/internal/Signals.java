package dev.offload.redis.internal;

import dev.offload.JobEvent;
import dev.offload.JobId;
import dev.offload.JobState;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisClientConfig;
import redis.clients.jedis.JedisPubSub;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.exceptions.JedisException;

/**
 * Wake-ups for idle workers and job events from other processes, over Redis pub/sub.
 *
 * <p>Design: one dedicated connection per store, read by one daemon thread, subscribed to the work
 * channel (a message per queue that got due work) and, only while someone listens, to the events
 * channel. Messages carry the origin store, so a store ignores its own (it wakes its local waiters
 * directly, without the round trip). A generation counter per queue lets {@link #awaitWork} tell
 * whether anything relevant arrived since a given mark: a claim returns the mark it read before it
 * looked for jobs ({@code ClaimResult.wakeMark}), and a wait on that mark (from any thread) returns
 * at once if work was announced since, which closes the race between an empty claim and the wait.
 * The connection is re-opened after errors (a restarted Redis); each re-subscription wakes every
 * waiter since messages may have been missed meanwhile (the first does not: an idle store must let
 * its waiters sleep). A watchdog pings the connection and drops it when pings go unanswered.
 */
final class Signals implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Signals.class);
  private static final long SILENCE_LIMIT_NANOS = TimeUnit.SECONDS.toNanos(15);
  private static final int MAX_PENDING_TIMERS = 10_000;

  private final HostAndPort address;
  private final JedisClientConfig clientConfig;
  private final UnifiedJedis redis;
  private final String workChannel;
  private final String eventsChannel;
  private final String origin;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition changed = lock.newCondition();
  private final Map<String, Long> lastByQueue = new HashMap<>();
  private final CopyOnWriteArrayList<Consumer<JobEvent>> listeners = new CopyOnWriteArrayList<>();
  private final Set<String> pendingTimers = ConcurrentHashMap.newKeySet();
  private final Object writeLock = new Object();
  private final ScheduledExecutorService timers;
  private final Thread reader;
  private volatile long generation;
  private long lastAll;
  private volatile boolean closed;
  private volatile Jedis connection;
  private volatile Subscriber subscriber;
  private volatile long lastHeardNanos = System.nanoTime();
  private volatile boolean eventsConfirmed;
  private volatile boolean resubscribed;

  Signals(
      HostAndPort address,
      JedisClientConfig clientConfig,
      UnifiedJedis redis,
      String channelPrefix,
      String origin) {
    this.address = address;
    this.clientConfig = clientConfig;
    this.redis = redis;
    this.workChannel = channelPrefix + ":work";
    this.eventsChannel = channelPrefix + ":events";
    this.origin = origin;
    this.timers =
        Executors.newSingleThreadScheduledExecutor(
            r -> Thread.ofPlatform().daemon().name("offload-redis-timer").unstarted(r));
    this.timers.scheduleWithFixedDelay(this::watchdog, 5, 5, TimeUnit.SECONDS);
    this.reader = Thread.ofPlatform().daemon().name("offload-redis-pubsub").start(this::readLoop);
  }

  /**
   * The wake mark: the count of wake-ups this store has seen. A claim reads it before it looks for
   * jobs and hands it to its caller, whose {@link #awaitWork} counts from there.
   */
  long mark() {
    return generation;
  }

  /**
   * Waits until a wake-up for {@code queues} (empty: any) arrives after {@code since} (a {@link
   * #mark}), returning at once if one already did, or until {@code maxWait} passes.
   */
  boolean awaitWork(Set<String> queues, long since, Duration maxWait) throws InterruptedException {
    long deadline = System.nanoTime() + maxWait.toNanos();
    lock.lockInterruptibly();
    try {
      while (!closed) {
        if (arrivedSince(queues, since)) {
          return true;
        }
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return false;
        }
        changed.awaitNanos(left);
      }
      return false;
    } finally {
      lock.unlock();
    }
  }

  private boolean arrivedSince(Set<String> queues, long since) {
    if (lastAll > since || (queues.isEmpty() && generation > since)) {
      return true;
    }
    for (String q : queues) {
      Long g = lastByQueue.get(q);
      if (g != null && g > since) {
        return true;
      }
    }
    return false;
  }

  /** Wakes local waiters for {@code queue}; {@code null} wakes every waiter. */
  void wake(String queue) {
    lock.lock();
    try {
      long g = generation + 1;
      generation = g;
      if (queue == null) {
        lastAll = g;
      } else {
        lastByQueue.put(queue, g);
      }
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /**
   * Publishes a wake-up for {@code queue} after {@code delay} (a retry or delayed job coming due):
   * Redis has no timers, so the process that scheduled the job keeps one. If it dies first, workers
   * still find the job when their {@code maxWait} ends.
   */
  void wakeLater(String queue, Duration delay) {
    if (delay.isNegative() || delay.isZero() || pendingTimers.size() >= MAX_PENDING_TIMERS) {
      return;
    }
    long dueMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime()) + delay.toMillis();
    String key = queue + "@" + (dueMillis / 10);
    if (!pendingTimers.add(key)) {
      return;
    }
    try {
      timers.schedule(
          () -> {
            pendingTimers.remove(key);
            publishWake(queue);
          },
          Math.min(delay.toMillis() + 1, TimeUnit.DAYS.toMillis(365)),
          TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.RejectedExecutionException e) {
      pendingTimers.remove(key); // closed meanwhile
    }
  }

  /** Runs {@code task} on the timer thread after {@code delayNanos} (dropped once closed). */
  void schedule(Runnable task, long delayNanos) {
    try {
      timers.schedule(task, delayNanos, TimeUnit.NANOSECONDS);
    } catch (java.util.concurrent.RejectedExecutionException e) {
      // closed meanwhile
    }
  }

  private void publishWake(String queue) {
    try {
      redis.publish(workChannel, "|" + queue);
    } catch (JedisException e) {
      // Only a latency aid: workers find the job anyway when their wait times out.
      LOG.debug("could not publish a wake-up for queue {}: {}", queue, e.toString());
    }
  }

  /**
   * Whether Redis has confirmed this store's subscription to the events channel; scripts then do
   * not count it as a listener, so a lone process publishes no events only to drop them.
   */
  boolean listeningToEvents() {
    return eventsConfirmed;
  }

  AutoCloseable subscribe(Consumer<JobEvent> listener) {
    listeners.add(listener);
    syncEventsSubscription();
    return () -> {
      listeners.remove(listener);
      syncEventsSubscription();
    };
  }

  private void syncEventsSubscription() {
    synchronized (writeLock) {
      Subscriber s = subscriber;
      if (s == null || !s.isSubscribed()) {
        return; // the next subscription picks it up
      }
      boolean want = !listeners.isEmpty();
      if (want && !s.events) {
        s.events = true;
        s.subscribe(eventsChannel);
      } else if (!want && s.events) {
        s.events = false;
        eventsConfirmed = false;
        s.unsubscribe(eventsChannel);
      }
    }
  }

  private void readLoop() {
    long backoffMillis = 50;
    while (!closed) {
      Subscriber s = new Subscriber();
      try (Jedis j = new Jedis(address, clientConfig)) {
        connection = j;
        subscriber = s;
        if (closed) {
          break;
        }
        j.subscribe(s, workChannel);
        backoffMillis = 50;
      } catch (JedisException | IllegalStateException e) {
        if (!closed) {
          LOG.debug("Redis pub/sub connection lost, reconnecting: {}", e.toString());
        }
      } finally {
        eventsConfirmed = false;
        subscriber = null;
        connection = null;
      }
      if (closed) {
        break;
      }
      try {
        Thread.sleep(backoffMillis);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
      backoffMillis = Math.min(backoffMillis * 2, 1000);
    }
  }

  private void watchdog() {
    Subscriber s = subscriber;
    if (s == null || !s.isSubscribed()) {
      return;
    }
    if (System.nanoTime() - lastHeardNanos > SILENCE_LIMIT_NANOS) {
      Jedis c = connection;
      if (c != null) {
        LOG.debug("Redis pub/sub connection silent, dropping it");
        c.close(); // the reader fails and reconnects
      }
      return;
    }
    try {
      synchronized (writeLock) {
        s.ping();
      }
    } catch (JedisException e) {
      LOG.debug("Redis pub/sub ping failed: {}", e.toString());
    }
  }

  @Override
  public void close() {
    closed = true;
    timers.shutdownNow();
    Jedis c = connection;
    if (c != null) {
      c.close();
    }
    reader.interrupt();
    wake(null);
    try {
      reader.join(2000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private final class Subscriber extends JedisPubSub {
    volatile boolean events;

    @Override
    public void onSubscribe(String channel, int subscribedChannels) {
      lastHeardNanos = System.nanoTime();
      if (channel.equals(workChannel)) {
        if (resubscribed) {
          wake(null); // wake-ups may have been missed while the connection was down
        }
        resubscribed = true;
        syncEventsSubscription();
      } else if (channel.equals(eventsChannel) && events) {
        eventsConfirmed = true;
      }
    }

    @Override
    public void onUnsubscribe(String channel, int subscribedChannels) {
      if (channel.equals(eventsChannel)) {
        eventsConfirmed = false;
      }
    }

    @Override
    public void onPong(String pattern) {
      lastHeardNanos = System.nanoTime();
    }

    @Override
    public void onMessage(String channel, String message) {
      lastHeardNanos = System.nanoTime();
      if (channel.equals(workChannel)) {
        int bar = message.indexOf('|');
        String from = bar < 0 ? "" : message.substring(0, bar);
        if (!from.equals(origin)) {
          wake(message.substring(bar + 1));
        }
      } else if (channel.equals(eventsChannel)) {
        dispatch(message);
      }
    }
  }

  private void dispatch(String message) {
    if (listeners.isEmpty() || message.startsWith(origin)) {
      return; // own changes reach the engine without the store
    }
    String[] p = message.split("\n", 8);
    if (p.length < 8) {
      return;
    }
    JobEvent event =
        new JobEvent(
            JobId.parse(p[1]),
            p[2],
            p[3],
            JobState.fromWireName(p[4]),
            Integer.parseInt(p[5]),
            JobCodec.parseProgress(p[7]),
            JobCodec.parseTime(p[6]));
    for (Consumer<JobEvent> listener : listeners) {
      try {
        listener.accept(event);
      } catch (RuntimeException e) {
        // A listener's failure must not stop the connection that serves every other one.
        LOG.warn("job event listener failed on {}", event, e);
      }
    }
  }
}
