package dev.offload.redis.internal;

import dev.offload.StoreException;
import java.util.function.Supplier;
import redis.clients.jedis.ConnectionPoolConfig;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.JedisClientConfig;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.SslOptions;
import redis.clients.jedis.exceptions.JedisConnectionException;
import redis.clients.jedis.exceptions.JedisException;

/**
 * The store's command connections: one pooled Jedis {@link RedisClient}, and how its failures reach
 * callers (a {@link StoreException} naming the URL, password masked). The pub/sub connection is
 * {@link Signals}'; it is opened with the same {@link #clientConfig()}.
 */
final class RedisConnection implements AutoCloseable {
  private final RedisConfig config;
  private final JedisClientConfig clientConfig;
  private final RedisClient client;

  private RedisConnection(RedisConfig config, JedisClientConfig clientConfig, RedisClient client) {
    this.config = config;
    this.clientConfig = clientConfig;
    this.client = client;
  }

  /** Connects and checks that Redis answers, failing fast otherwise. */
  static RedisConnection open(RedisConfig config) {
    DefaultJedisClientConfig.Builder b =
        DefaultJedisClientConfig.builder()
            .resp2()
            .connectionTimeoutMillis(Math.toIntExact(config.connectTimeout().toMillis()))
            .socketTimeoutMillis(Math.toIntExact(config.timeout().toMillis()))
            .database(config.database())
            .clientName("offload");
    if (config.ssl()) {
      b.sslOptions(SslOptions.defaults());
    }
    if (config.user() != null) {
      b.user(config.user());
    }
    if (config.password() != null) {
      b.password(config.password());
    }
    JedisClientConfig clientConfig = b.build();
    ConnectionPoolConfig pool = new ConnectionPoolConfig();
    pool.setMaxTotal(config.poolSize());
    pool.setMaxIdle(config.poolSize());
    pool.setMaxWait(config.timeout());
    RedisClient client =
        RedisClient.builder()
            .hostAndPort(config.host(), config.port())
            .clientConfig(clientConfig)
            .poolConfig(pool)
            .build();
    try {
      client.ping();
    } catch (JedisException | IllegalStateException e) {
      client.close();
      throw new StoreException(
          "cannot open Redis store " + config.maskedUrl() + ": " + describe(e), e);
    }
    return new RedisConnection(config, clientConfig, client);
  }

  RedisClient client() {
    return client;
  }

  JedisClientConfig clientConfig() {
    return clientConfig;
  }

  HostAndPort address() {
    return new HostAndPort(config.host(), config.port());
  }

  /** Runs {@code body}, mapping Jedis failures to a {@link StoreException}. */
  <T> T write(String operation, Supplier<T> body) {
    try {
      return body.get();
    } catch (JedisConnectionException e) {
      dropIdleConnections();
      throw failure(operation, e);
    } catch (JedisException e) {
      throw failure(operation, e);
    }
  }

  /**
   * {@link #write} for reads, tried once more on a broken connection: after a Redis restart every
   * pooled connection is dead, and a read can safely go again on a fresh one. Writes are not
   * retried: the script may have run before the reply was lost.
   */
  <T> T read(String operation, Supplier<T> body) {
    try {
      return body.get();
    } catch (JedisConnectionException e) {
      dropIdleConnections();
      return write(operation, body);
    } catch (JedisException e) {
      throw failure(operation, e);
    }
  }

  private void dropIdleConnections() {
    try {
      client.getPool().clear();
    } catch (RuntimeException alreadyClosing) {
      // The pool is closing: there is nothing left to drop.
    }
  }

  private StoreException failure(String operation, JedisException e) {
    return new StoreException(
        "Redis store " + config.maskedUrl() + ": " + operation + " failed: " + describe(e), e);
  }

  private static String describe(Exception e) {
    String m = e.getMessage();
    Throwable cause = e.getCause();
    if (cause != null
        && cause.getMessage() != null
        && (m == null || !m.contains(cause.getMessage()))) {
      m = (m == null ? "" : m + ": ") + cause.getMessage();
    }
    return m == null ? e.getClass().getSimpleName() : m;
  }

  @Override
  public void close() {
    client.close();
  }
}
