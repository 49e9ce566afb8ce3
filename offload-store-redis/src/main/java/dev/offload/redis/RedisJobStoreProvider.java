package dev.offload.redis;

import dev.offload.redis.internal.RedisJobStore;
import dev.offload.spi.JobStore;
import dev.offload.spi.JobStoreProvider;
import java.util.Set;

/**
 * Opens Redis job stores from {@code redis://[user:password@]host:port/db?prefix=offload} URLs
 * ({@code rediss://} for TLS). Found by {@link java.util.ServiceLoader}; applications call {@code
 * JobStores.open(url)}.
 *
 * <pre>{@code
 * JobStore store = JobStores.open("redis://localhost:6379/0?prefix=shop");
 * }</pre>
 *
 * <p>Parameters: {@code prefix} (default {@code offload}) lets several installations share one
 * Redis; {@code maxFinished} caps the finished jobs kept (default 0: no cap, finished jobs stay
 * until their result retention ends; a cap drops the oldest early, logged and counted); {@code
 * poolSize}, {@code connectTimeout}, {@code timeout}. See {@code docs/REDIS.md}.
 */
public final class RedisJobStoreProvider implements JobStoreProvider {
  @Override
  public Set<String> schemes() {
    return Set.of("redis", "rediss");
  }

  @Override
  public JobStore open(String url) {
    return RedisJobStore.open(url);
  }
}
