package dev.offload;

import dev.offload.internal.store.InMemoryJobStore;
import dev.offload.spi.JobStore;
import dev.offload.spi.JobStoreProvider;
import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;

/**
 * Opens job stores.
 *
 * <pre>{@code
 * JobStore memory = JobStores.inMemory();
 * JobStore sqlite = JobStores.open("sqlite:./offload-data/offload.db");   // needs offload-store-sql
 * }</pre>
 */
public final class JobStores {
  private JobStores() {}

  /** A store in this process's memory: fast, not durable, not shared. The default. */
  public static JobStore inMemory() {
    return new InMemoryJobStore();
  }

  /**
   * Opens the store a URL names, through the {@link JobStoreProvider} registered for its scheme
   * ({@code memory:}, {@code sqlite:}, {@code postgresql://}, {@code redis://}, {@code jdbc:…}).
   *
   * @throws InvalidInputException when no provider on the class path takes the scheme
   * @throws StoreException when the store cannot be opened
   */
  public static JobStore open(String url) {
    return open(url, JobStores.class.getClassLoader());
  }

  /** {@link #open(String)} with providers found through {@code loader}. */
  public static JobStore open(String url, ClassLoader loader) {
    if (url == null || url.isBlank()) {
      throw new InvalidInputException("store", "a store URL is required");
    }
    if (url.equals("memory:") || url.equals("memory")) {
      return inMemory();
    }
    List<String> known = new ArrayList<>(List.of("memory"));
    for (JobStoreProvider provider : ServiceLoader.load(JobStoreProvider.class, loader)) {
      for (String scheme : provider.schemes()) {
        known.add(scheme);
        if (url.startsWith(scheme + ":")) {
          return provider.open(url);
        }
      }
    }
    throw new InvalidInputException(
        "store",
        "no store for URL '"
            + maskPassword(url)
            + "'; known schemes: "
            + known
            + " (is the backend module on the class path?)");
  }

  /** The URL with any password replaced by {@code ***}, for messages and logs. */
  public static String maskPassword(String url) {
    return url.replaceAll("(://[^:/@]+):[^@/]*@", "$1:***@")
        .replaceAll("(?i)(password=)[^&]*", "$1***");
  }
}
