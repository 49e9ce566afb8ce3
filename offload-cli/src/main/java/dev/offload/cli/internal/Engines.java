package dev.offload.cli.internal;

import dev.offload.JobStores;
import dev.offload.TaskRegistry;
import dev.offload.demo.DemoTasks;
import dev.offload.process.ProcessExecutor;
import dev.offload.spi.JobStoreProvider;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;

/** What serve, worker and bench share: the default store, and tasks from jars. */
public final class Engines {
  public static final String DEFAULT_SQLITE = "sqlite:./offload-data/offload.db";

  private Engines() {}

  /** Whether some store provider on the class path opens {@code scheme} URLs. */
  public static boolean hasScheme(String scheme, ClassLoader loader) {
    for (JobStoreProvider p : ServiceLoader.load(JobStoreProvider.class, loader)) {
      if (p.schemes().contains(scheme)) {
        return true;
      }
    }
    return false;
  }

  /**
   * The store URL to use: the one given, else the embedded SQLite file when the SQL store is on the
   * class path, else memory (with a warning on {@code err}: jobs do not survive a restart).
   */
  public static String storeUrl(String given, PrintWriter err) {
    if (given != null && !given.isBlank()) {
      return given;
    }
    if (hasScheme("sqlite", Engines.class.getClassLoader())) {
      try {
        Files.createDirectories(Path.of("offload-data"));
      } catch (IOException e) {
        throw new UncheckedIOException("cannot create ./offload-data for the job store", e);
      }
      return DEFAULT_SQLITE;
    }
    err.println(
        "offload: warning: no SQLite store on the class path; jobs are kept in memory and are lost"
            + " when the process stops (give --store URL for a durable store)");
    err.flush();
    return "memory:";
  }

  /** A loader that sees the class path plus {@code jars}, for task plugins. */
  public static ClassLoader loaderWith(List<Path> jars) {
    if (jars == null || jars.isEmpty()) {
      return Engines.class.getClassLoader();
    }
    List<URL> urls = new ArrayList<>();
    for (Path jar : jars) {
      if (!Files.isReadable(jar)) {
        throw new IllegalArgumentException("--tasks: cannot read " + jar.toAbsolutePath());
      }
      try {
        urls.add(jar.toUri().toURL());
      } catch (MalformedURLException e) {
        throw new IllegalArgumentException("--tasks: not a file: " + jar, e);
      }
    }
    return new URLClassLoader(urls.toArray(URL[]::new), Engines.class.getClassLoader());
  }

  /** The demo tasks plus every task a {@code TaskProvider} on {@code loader} offers. */
  public static TaskRegistry tasks(ClassLoader loader) {
    return TaskRegistry.builder().registerAll(DemoTasks.all()).discover(loader).build();
  }

  /**
   * A pool of child JVMs for {@code task}: this JVM's class path plus the task jars, so the child's
   * {@code ServiceLoader} finds the same tasks (the demo ones through the CLI's provider file).
   */
  public static ProcessExecutor childJvms(String task, List<Path> jars) {
    StringBuilder classPath = new StringBuilder(System.getProperty("java.class.path"));
    for (Path jar : jars) {
      classPath.append(java.io.File.pathSeparator).append(jar.toAbsolutePath());
    }
    return ProcessExecutor.javaChild()
        .name("child-jvm:" + task)
        .classPath(classPath.toString())
        .build();
  }

  public static String describe(String url) {
    return JobStores.maskPassword(url);
  }
}
