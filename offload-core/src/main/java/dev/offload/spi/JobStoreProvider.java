package dev.offload.spi;

import java.util.Set;

/**
 * Opens a {@link JobStore} from a store URL such as {@code sqlite:./offload.db} or {@code
 * postgresql://user@host:5432/db}. Backend modules register one with {@link
 * java.util.ServiceLoader} ({@code META-INF/services/dev.offload.spi.JobStoreProvider}); the URL's
 * scheme picks the provider, so core depends on no driver.
 */
public interface JobStoreProvider {
  /**
   * URL schemes this provider opens ({@code "sqlite"}, {@code "postgresql"}, {@code
   * "jdbc:sqlite"}).
   */
  Set<String> schemes();

  /**
   * Opens the store, creating or migrating its schema if needed. Fails fast (no hang) with a {@link
   * dev.offload.StoreException} naming the URL (password masked) when it cannot.
   */
  JobStore open(String url);
}
