package dev.offload.spi;

import dev.offload.Task;
import java.util.Collection;

/**
 * Supplies tasks from a jar on the class path, found with {@link java.util.ServiceLoader} ({@code
 * META-INF/services/dev.offload.spi.TaskProvider}).
 */
public interface TaskProvider {
  Collection<Task<?, ?>> tasks();
}
