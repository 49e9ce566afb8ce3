package dev.offload;

import dev.offload.spi.TaskProvider;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.regex.Pattern;

/**
 * The tasks an Offload instance can run, by name. Built once, then read concurrently.
 *
 * <pre>{@code
 * TaskRegistry registry = TaskRegistry.builder().register(hash).register(resize).build();
 * TaskRegistry withPlugins = TaskRegistry.builder().discover(classLoader).build();
 * }</pre>
 */
public final class TaskRegistry {
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,99}");

  private final Map<String, Task<?, ?>> tasks;

  private TaskRegistry(Map<String, Task<?, ?>> tasks) {
    this.tasks = Collections.unmodifiableMap(new LinkedHashMap<>(tasks));
  }

  public static Builder builder() {
    return new Builder();
  }

  /** A registry holding exactly {@code tasks}. */
  public static TaskRegistry of(Task<?, ?>... tasks) {
    Builder b = builder();
    for (Task<?, ?> t : tasks) {
      b.register(t);
    }
    return b.build();
  }

  public Optional<Task<?, ?>> find(String name) {
    return Optional.ofNullable(tasks.get(name));
  }

  /**
   * The task called {@code name}.
   *
   * @throws TaskNotFoundException naming the registered tasks
   */
  public Task<?, ?> get(String name) {
    Task<?, ?> t = tasks.get(name);
    if (t == null) {
      throw new TaskNotFoundException(name, tasks.keySet());
    }
    return t;
  }

  /** Every task, in registration order. */
  public Collection<Task<?, ?>> all() {
    return tasks.values();
  }

  static void checkName(String name) {
    if (name == null || !NAME.matcher(name).matches()) {
      throw new InvalidInputException(
          "name", "task name must match " + NAME.pattern() + ", was '" + name + "'");
    }
  }

  /** Collects tasks; a duplicate name fails fast. */
  public static final class Builder {
    private final Map<String, Task<?, ?>> tasks = new LinkedHashMap<>();

    private Builder() {}

    public Builder register(Task<?, ?> task) {
      checkName(task.name());
      Task<?, ?> previous = tasks.putIfAbsent(task.name(), task);
      if (previous != null && previous != task) {
        throw new IllegalArgumentException("two tasks are named '" + task.name() + "'");
      }
      return this;
    }

    public Builder registerAll(Collection<? extends Task<?, ?>> more) {
      more.forEach(this::register);
      return this;
    }

    /** Adds every task of every {@link TaskProvider} that {@code loader} finds. */
    public Builder discover(ClassLoader loader) {
      for (TaskProvider provider : ServiceLoader.load(TaskProvider.class, loader)) {
        registerAll(provider.tasks());
      }
      return this;
    }

    public TaskRegistry build() {
      return new TaskRegistry(tasks);
    }
  }
}
