package dev.offload.chaos;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * One line of a worker's {@code --events-log}: task code of {@code job}'s {@code attempt} started
 * or ended in process {@code pid}.
 *
 * @param start true for a start line, false for an end line
 * @param outcome for an end line: {@code succeeded}, {@code failed} or {@code cancelled}
 */
public record WorkerEvent(
    boolean start, String job, int attempt, String worker, long pid, Instant time, String outcome) {

  private static final ObjectMapper JSON = new ObjectMapper();

  static WorkerEvent start(String job, int attempt, long pid, Instant time) {
    return new WorkerEvent(true, job, attempt, "w" + pid, pid, time, null);
  }

  static WorkerEvent end(String job, int attempt, long pid, Instant time, String outcome) {
    return new WorkerEvent(false, job, attempt, "w" + pid, pid, time, outcome);
  }

  /** Parses one line; a line cut short by a kill in mid-write is {@code null}. */
  static WorkerEvent parse(String line) {
    JsonNode n;
    try {
      n = JSON.readTree(line);
    } catch (IOException e) {
      return null;
    }
    if (n == null || !n.hasNonNull("event") || !n.hasNonNull("time")) {
      return null;
    }
    return new WorkerEvent(
        "start".equals(n.get("event").asText()),
        n.get("job").asText(),
        n.get("attempt").asInt(),
        n.path("worker").asText(),
        n.get("pid").asLong(),
        Instant.parse(n.get("time").asText()),
        n.hasNonNull("outcome") ? n.get("outcome").asText() : null);
  }

  /** Every event of every {@code events-*.jsonl} file under {@code dir}. */
  static List<WorkerEvent> readAll(Path dir) {
    List<WorkerEvent> all = new ArrayList<>();
    try (Stream<Path> files = Files.list(dir)) {
      for (Path f : files.filter(p -> p.getFileName().toString().startsWith("events-")).toList()) {
        try (BufferedReader r = Files.newBufferedReader(f)) {
          String line;
          while ((line = r.readLine()) != null) {
            WorkerEvent e = line.isBlank() ? null : parse(line);
            if (e != null) {
              all.add(e);
            }
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("reading events logs in " + dir, e);
    }
    return all;
  }
}
