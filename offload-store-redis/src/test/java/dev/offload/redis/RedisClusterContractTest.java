package dev.offload.redis;

import dev.offload.tck.cluster.ClusterContract;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;

/**
 * The shared cluster test: three worker JVMs running real engines on the test Redis drain 10,000
 * jobs while one of them is killed with SIGKILL. {@link RedisClusterTest} beside it drives the
 * store directly and adds zombie workers that try to complete after their lease was taken over.
 */
@Tag("service")
class RedisClusterContractTest extends ClusterContract {
  private String prefix;

  @Override
  protected String storeUrl() {
    RedisTestSupport.requireRedis();
    prefix = RedisTestSupport.uniquePrefix();
    return RedisTestSupport.url("prefix=" + prefix);
  }

  @AfterEach
  void deleteKeys() {
    if (prefix != null) {
      RedisTestSupport.deleteKeys(prefix);
    }
  }
}
