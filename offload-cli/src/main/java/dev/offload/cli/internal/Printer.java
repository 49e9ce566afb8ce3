package dev.offload.cli.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.offload.Job;
import dev.offload.client.JobJson;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/** Prints jobs and listings as JSON or as aligned text tables. */
public final class Printer {
  private static final ObjectMapper JSON = JobJson.mapper();

  private final PrintWriter out;
  private final boolean json;

  public Printer(PrintWriter out, String format) {
    this.out = out;
    this.json = "json".equalsIgnoreCase(format);
  }

  public boolean isJson() {
    return json;
  }

  public void json(JsonNode node) {
    try {
      out.println(JSON.writerWithDefaultPrettyPrinter().writeValueAsString(node));
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
    out.flush();
  }

  public static String compact(JsonNode node) {
    try {
      return node == null ? "" : JSON.writeValueAsString(node);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** One job: JSON, or one "field value" line per field. */
  public void job(Job job) {
    ObjectNode n = JobJson.write(job);
    if (json) {
      json(n);
      return;
    }
    List<String[]> rows = new ArrayList<>();
    for (String f :
        new String[] {
          "id",
          "task",
          "queue",
          "state",
          "priority",
          "attempts",
          "maxAttempts",
          "createdAt",
          "runAt",
          "startedAt",
          "finishedAt"
        }) {
      rows.add(new String[] {f, text(n.get(f))});
    }
    rows.add(new String[] {"input", compact(n.get("input"))});
    if (!n.get("progress").isNull()) {
      rows.add(new String[] {"progress", compact(n.get("progress"))});
    }
    if (!n.get("result").isNull()) {
      rows.add(new String[] {"result", compact(n.get("result"))});
    }
    if (!n.get("error").isNull()) {
      rows.add(
          new String[] {
            "error", n.at("/error/type").asText() + ": " + n.at("/error/message").asText()
          });
    }
    table(null, rows);
  }

  private static String text(JsonNode n) {
    return n == null || n.isNull() ? "-" : n.asText();
  }

  /** Rows as columns padded to the widest cell; {@code header} may be {@code null}. */
  public void table(String[] header, List<String[]> rows) {
    List<String[]> all = new ArrayList<>();
    if (header != null) {
      all.add(header);
    }
    all.addAll(rows);
    int cols = all.stream().mapToInt(r -> r.length).max().orElse(0);
    int[] width = new int[cols];
    for (String[] r : all) {
      for (int i = 0; i < r.length; i++) {
        width[i] = Math.max(width[i], r[i] == null ? 1 : r[i].length());
      }
    }
    for (String[] r : all) {
      StringBuilder line = new StringBuilder();
      for (int i = 0; i < r.length; i++) {
        String cell = r[i] == null ? "-" : r[i];
        line.append(cell);
        if (i < r.length - 1) {
          line.append(" ".repeat(width[i] - cell.length() + 2));
        }
      }
      out.println(line.toString().stripTrailing());
    }
    out.flush();
  }

  public void line(String text) {
    out.println(text);
    out.flush();
  }
}
