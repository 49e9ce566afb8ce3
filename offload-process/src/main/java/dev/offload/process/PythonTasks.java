package dev.offload.process;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.offload.Task;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The tasks of a Python file whose functions are decorated with {@code @task} (from the {@code
 * offload.worker} module of the Python package, bundled in this jar), and the child processes that
 * run them. No Java code per task: the file is run once in "describe" mode ({@code python3 -m
 * offload describe FILE}) to learn the task names, descriptions and declared JSON Schemas.
 *
 * <pre>{@code
 * PythonTasks py = PythonTasks.load(Path.of("tasks.py"));
 * ProcessExecutor children = py.executor().hardTimeLimit(Duration.ofSeconds(60)).build();
 * OffloadBuilder b = Offload.builder().tasks(TaskRegistry.builder().registerAll(py.tasks()).build());
 * py.tasks().forEach(t -> b.executor(t.name(), children));
 * }</pre>
 */
public final class PythonTasks {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final long DESCRIBE_TIMEOUT_SECONDS = 60;

  private final String interpreter;
  private final Path file;
  private final String pythonPath;
  private final List<Task<JsonNode, JsonNode>> tasks;

  private PythonTasks(
      String interpreter, Path file, String pythonPath, List<Task<JsonNode, JsonNode>> tasks) {
    this.interpreter = interpreter;
    this.file = file;
    this.pythonPath = pythonPath;
    this.tasks = tasks;
  }

  /** The tasks of {@code file}, described with {@code python3}. */
  public static PythonTasks load(Path file) {
    return load("python3", file);
  }

  /**
   * The tasks of {@code file}, described with {@code interpreter} (a virtualenv's python, say).
   *
   * @throws IllegalArgumentException when the file is missing, fails to import, or has no task
   */
  public static PythonTasks load(String interpreter, Path file) {
    Path abs = file.toAbsolutePath().normalize();
    if (!Files.isRegularFile(abs)) {
      throw new IllegalArgumentException("no Python tasks file at " + abs);
    }
    String path = pythonPath(ProcessExecutor.extractPythonHelper());
    JsonNode described = describe(interpreter, abs, path);
    List<Task<JsonNode, JsonNode>> tasks = new ArrayList<>();
    for (JsonNode t : described.path("tasks")) {
      tasks.add(
          ExternalTask.of(
              t.path("name").asText(),
              t.path("description").asText(""),
              t.hasNonNull("inputSchema") ? t.get("inputSchema") : null,
              t.hasNonNull("outputSchema") ? t.get("outputSchema") : null));
    }
    if (tasks.isEmpty()) {
      throw new IllegalArgumentException(
          abs + " registers no tasks (use @task from offload.worker)");
    }
    return new PythonTasks(interpreter, abs, path, List.copyOf(tasks));
  }

  /** The file's tasks: JSON in, JSON out, with the schemas the file declares. */
  public List<Task<JsonNode, JsonNode>> tasks() {
    return tasks;
  }

  public Path file() {
    return file;
  }

  /**
   * Children running {@code INTERPRETER -u -m offload worker FILE}, with the bundled package on
   * {@code PYTHONPATH}; set limits, size and recycling on the builder.
   */
  public ProcessExecutor.Builder executor() {
    return ProcessExecutor.command(interpreter, "-u", "-m", "offload", "worker", file.toString())
        .environment("PYTHONPATH", pythonPath)
        .name("python:" + file.getFileName());
  }

  static String pythonPath(Path helperDir) {
    String existing = System.getenv("PYTHONPATH");
    return existing == null || existing.isEmpty()
        ? helperDir.toString()
        : helperDir + File.pathSeparator + existing;
  }

  private static JsonNode describe(String interpreter, Path file, String pythonPath) {
    Path errFile;
    try {
      errFile = Files.createTempFile("offload-describe", ".err");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    // stderr goes to a file: no second reader thread, and a chatty import cannot block the child.
    ProcessBuilder pb =
        new ProcessBuilder(interpreter, "-m", "offload", "describe", file.toString())
            .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
            .redirectError(errFile.toFile());
    pb.environment().put("PYTHONPATH", pythonPath);
    Process p;
    try {
      p = pb.start();
    } catch (IOException e) {
      throw new IllegalArgumentException(
          "cannot run " + interpreter + " to describe " + file + ": " + e.getMessage(), e);
    }
    String out = readAll(p.getInputStream());
    try {
      if (!p.waitFor(DESCRIBE_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IllegalArgumentException(
            "describing " + file + " took over " + DESCRIBE_TIMEOUT_SECONDS + " s");
      }
    } catch (InterruptedException e) {
      p.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while describing " + file, e);
    }
    String stderr;
    try {
      stderr = Files.readString(errFile, StandardCharsets.UTF_8).strip();
      Files.deleteIfExists(errFile);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    if (p.exitValue() != 0) {
      throw new IllegalArgumentException(
          "cannot load Python tasks from "
              + file
              + " ("
              + interpreter
              + " exited with "
              + p.exitValue()
              + "):\n"
              + tail(stderr, 4000));
    }
    String last = lastLine(out);
    try {
      return JSON.readTree(last);
    } catch (IOException e) {
      throw new IllegalArgumentException(
          "describing " + file + " printed no task list: " + tail(out, 500), e);
    }
  }

  private static String readAll(java.io.InputStream in) {
    try (in) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String lastLine(String text) {
    String t = text.strip();
    int nl = t.lastIndexOf('\n');
    return nl < 0 ? t : t.substring(nl + 1);
  }

  private static String tail(String text, int max) {
    return text.length() <= max ? text : "…" + text.substring(text.length() - max);
  }

  @Override
  public String toString() {
    return "PythonTasks[" + file + ", " + tasks.stream().map(Task::name).toList() + "]";
  }
}
