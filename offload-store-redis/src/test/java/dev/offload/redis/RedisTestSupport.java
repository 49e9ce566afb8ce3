package dev.offload.redis;

import static org.junit.jupiter.api.Assertions.fail;

import dev.offload.Backoff;
import dev.offload.Job;
import dev.offload.JobId;
import dev.offload.JobState;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.Assumptions;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.params.ScanParams;
import redis.clients.jedis.resps.ScanResult;

/**
 * Finds the test Redis ({@code OFFLOAD_TEST_REDIS_URL}, default the machine's on 6379) and gives
 * each test its own key prefix. Without a Redis the tests are skipped, except under {@code
 * CI=true}, where they fail.
 */
public final class RedisTestSupport {
  public static final String DEFAULT_URL = "redis://127.0.0.1:6379/0";

  private RedisTestSupport() {}

  public static String baseUrl() {
    String url = System.getenv("OFFLOAD_TEST_REDIS_URL");
    return url == null || url.isBlank() ? DEFAULT_URL : url;
  }

  /** Skips (or, under CI, fails) the calling test when the test Redis does not answer. */
  public static void requireRedis() {
    String url = baseUrl();
    try (Jedis jedis = connect(url)) {
      jedis.ping();
    } catch (RuntimeException e) {
      String why = "no Redis at " + url + " (set OFFLOAD_TEST_REDIS_URL): " + e.getMessage();
      if ("true".equalsIgnoreCase(System.getenv("CI"))) {
        fail(why);
      }
      Assumptions.abort(why);
    }
  }

  public static Jedis connect(String url) {
    java.net.URI uri = java.net.URI.create(url);
    DefaultJedisClientConfig.Builder config =
        DefaultJedisClientConfig.builder().connectionTimeoutMillis(1000).socketTimeoutMillis(5000);
    if (uri.getUserInfo() != null) {
      String[] info = uri.getUserInfo().split(":", 2);
      if (info.length == 2) {
        if (!info[0].isEmpty()) {
          config.user(info[0]);
        }
        config.password(info[1]);
      } else {
        config.password(info[0]);
      }
    }
    String path = uri.getPath();
    if (path != null && path.length() > 1) {
      config.database(Integer.parseInt(path.substring(1)));
    }
    return new Jedis(
        new HostAndPort(uri.getHost(), uri.getPort() < 0 ? 6379 : uri.getPort()), config.build());
  }

  public static String uniquePrefix() {
    return "offload-test-" + UUID.randomUUID().toString().substring(0, 8);
  }

  /** The test Redis URL with {@code params} (e.g. {@code "prefix=x"}) added to its query. */
  public static String url(String params) {
    String base = baseUrl();
    return base + (base.contains("?") ? "&" : "?") + params;
  }

  /** Deletes every key under {@code prefix}. */
  public static void deleteKeys(String prefix) {
    try (Jedis jedis = connect(baseUrl())) {
      String cursor = ScanParams.SCAN_POINTER_START;
      ScanParams match = new ScanParams().match(prefix + ":*").count(1000);
      do {
        ScanResult<String> page = jedis.scan(cursor, match);
        if (!page.getResult().isEmpty()) {
          jedis.del(page.getResult().toArray(String[]::new));
        }
        cursor = page.getCursor();
      } while (!cursor.equals(ScanParams.SCAN_POINTER_START));
    }
  }

  /** A pending job with every option at a plain default. */
  public static Job job(String queue, int priority, Instant createdAt, Instant runAt) {
    return Job.submitted(
        JobId.newId(createdAt),
        "noop",
        queue,
        runAt.isAfter(createdAt) ? JobState.SCHEDULED : JobState.QUEUED,
        priority,
        "{\"n\":1}",
        3,
        Backoff.of(Duration.ofSeconds(1), Duration.ofMinutes(1)),
        null,
        null,
        createdAt,
        runAt);
  }

  public static Job job(String queue, Instant now) {
    return job(queue, 0, now, now);
  }
}
