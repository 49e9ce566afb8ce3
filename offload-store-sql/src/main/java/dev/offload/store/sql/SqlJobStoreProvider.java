package dev.offload.store.sql;

import dev.offload.spi.JobStore;
import dev.offload.spi.JobStoreProvider;
import dev.offload.store.sql.internal.StoreUrl;
import java.util.Set;

/**
 * Registers the SQL store with {@link dev.offload.JobStores#open(String)} for the schemes {@code
 * sqlite}, {@code jdbc:sqlite}, {@code postgresql}, {@code postgres} and {@code jdbc:postgresql}.
 */
public final class SqlJobStoreProvider implements JobStoreProvider {
  @Override
  public Set<String> schemes() {
    return StoreUrl.SCHEMES;
  }

  @Override
  public JobStore open(String url) {
    return SqlJobStore.open(url);
  }
}
