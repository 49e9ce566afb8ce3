package dev.offload.redis;

import dev.offload.JobStores;
import dev.offload.spi.JobStore;
import dev.offload.tck.JobStoreContract;
import java.time.InstantSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;

/**
 * The Redis store against the full store contract, each test on its own key prefix of the test
 * Redis; the second instance opens the same prefix with its own pool and pub/sub connection, as
 * another process would.
 */
@Tag("service")
class RedisJobStoreContractTest extends JobStoreContract {
  private String prefix;

  @Override
  protected JobStore createStore(InstantSource clock) {
    RedisTestSupport.requireRedis();
    prefix = RedisTestSupport.uniquePrefix();
    return JobStores.open(RedisTestSupport.url("prefix=" + prefix));
  }

  @Override
  protected JobStore openSecondInstance(InstantSource clock) {
    return JobStores.open(RedisTestSupport.url("prefix=" + prefix));
  }

  @AfterEach
  void deleteKeys() {
    if (prefix != null) {
      RedisTestSupport.deleteKeys(prefix);
    }
  }
}
