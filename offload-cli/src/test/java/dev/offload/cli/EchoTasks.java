package dev.offload.cli;

import dev.offload.Task;
import dev.offload.spi.TaskProvider;
import java.util.Collection;
import java.util.List;

/** A task plugin for the --tasks test; registered only through a jar the test writes. */
public final class EchoTasks implements TaskProvider {
  public record Text(String text) {}

  @Override
  public Collection<Task<?, ?>> tasks() {
    return List.of(
        Task.of(
            "echo",
            Text.class,
            Text.class,
            (in, ctx) -> new Text(in.text().toUpperCase(java.util.Locale.ROOT))));
  }
}
