package dev.offload.demo;

import dev.offload.Task;
import dev.offload.spi.TaskProvider;
import java.util.Collection;

/**
 * The demo tasks as a {@link TaskProvider}, for class paths that want them found by {@code
 * ServiceLoader} (the CLI registers it, so child JVMs started by {@code serve --child-jvm} find the
 * same tasks). Core does not register it: an application embedding Offload gets no demo tasks.
 */
public final class DemoTaskProvider implements TaskProvider {
  @Override
  public Collection<Task<?, ?>> tasks() {
    return DemoTasks.all();
  }
}
