package dev.offload.metrics;

import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * A parsed Prometheus text scrape: sample name with its labels sorted ({@code
 * offload_jobs_submitted_total{queue="default",task="spin"}}) to value, so tests look samples up
 * without depending on label order or number formatting.
 */
record Scrape(String text, Map<String, Double> samples) {

  @Override
  public String toString() {
    return "scrape of " + samples.size() + " samples";
  }

  static Scrape parse(String text) {
    Map<String, Double> samples = new TreeMap<>();
    for (String line : text.split("\n")) {
      if (line.isBlank() || line.startsWith("#")) {
        continue;
      }
      int brace = line.indexOf('{');
      int space = line.lastIndexOf(' ');
      String name;
      String labels = "";
      if (brace >= 0 && brace < space) {
        name = line.substring(0, brace);
        int close = line.lastIndexOf('}');
        labels =
            Arrays.stream(line.substring(brace + 1, close).split(","))
                .filter(s -> !s.isBlank())
                .sorted()
                .collect(Collectors.joining(","));
      } else {
        name = line.substring(0, space);
      }
      samples.put(
          labels.isEmpty() ? name : name + "{" + labels + "}",
          Double.parseDouble(line.substring(space + 1)));
    }
    return new Scrape(text, samples);
  }

  /** The value of {@code name} with {@code labels} given as {@code key, value, key, value...}. */
  double value(String name, String... labels) {
    Double v = samples.get(key(name, labels));
    if (v == null) {
      throw new AssertionError("no sample " + key(name, labels) + " in\n" + text);
    }
    return v;
  }

  double valueOrZero(String name, String... labels) {
    return samples.getOrDefault(key(name, labels), 0.0);
  }

  boolean has(String name) {
    return samples.keySet().stream().anyMatch(k -> k.equals(name) || k.startsWith(name + "{"));
  }

  static String key(String name, String... labels) {
    if (labels.length == 0) {
      return name;
    }
    TreeMap<String, String> sorted = new TreeMap<>();
    for (int i = 0; i < labels.length; i += 2) {
      sorted.put(labels[i], labels[i + 1]);
    }
    return name
        + "{"
        + sorted.entrySet().stream()
            .map(e -> e.getKey() + "=\"" + e.getValue() + "\"")
            .collect(Collectors.joining(","))
        + "}";
  }
}
