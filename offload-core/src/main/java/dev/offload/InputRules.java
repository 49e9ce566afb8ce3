package dev.offload;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Bounds a task puts on the top-level fields of its JSON input, checked where work is accepted (the
 * HTTP API answers 422 naming {@code input.FIELD} at submit, before a job exists) and shown in the
 * task's JSON schema ({@code minimum}, {@code maximum}, {@code maxLength}). A task still checks its
 * own input when it runs; these rules only move the refusal to the door.
 *
 * <pre>{@code
 * Task<SpinIn, SpinOut> spin = Task.of("spin", SpinIn.class, SpinOut.class, fn)
 *     .withInputRules(InputRules.builder().range("ms", 0, 3_600_000).build());
 * }</pre>
 */
public final class InputRules {
  private static final InputRules NONE = new InputRules(List.of());

  private sealed interface Rule permits Range, MaxLength {
    String field();
  }

  private record Range(String field, long min, long max) implements Rule {}

  private record MaxLength(String field, int max) implements Rule {}

  private final List<Rule> rules;

  private InputRules(List<Rule> rules) {
    this.rules = List.copyOf(rules);
  }

  /** No rules. */
  public static InputRules none() {
    return NONE;
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * Checks {@code input} (a JSON object; other shapes are left to the task).
   *
   * @throws InvalidInputException naming {@code input.FIELD}
   */
  public void check(JsonNode input) {
    check(input, "input");
  }

  /**
   * {@link #check(JsonNode)}, naming fields {@code prefix.FIELD} (e.g. {@code input[3].ms} for the
   * fourth input of a map).
   */
  public void check(JsonNode input, String prefix) {
    if (input == null || !input.isObject()) {
      return;
    }
    for (Rule rule : rules) {
      JsonNode v = input.get(rule.field());
      if (v == null || v.isNull()) {
        continue;
      }
      String field = prefix + "." + rule.field();
      switch (rule) {
        case Range r -> {
          if (!v.isIntegralNumber() || !v.canConvertToLong()) {
            throw new InvalidInputException(field, "must be a whole number, was " + clip(v));
          }
          long n = v.asLong();
          if (n < r.min() || n > r.max()) {
            throw new InvalidInputException(
                field, "must be between " + r.min() + " and " + r.max() + ", was " + n);
          }
        }
        case MaxLength m -> {
          if (!v.isTextual()) {
            throw new InvalidInputException(field, "must be a string");
          }
          if (v.asText().length() > m.max()) {
            throw new InvalidInputException(
                field, "must be at most " + m.max() + " characters, was " + v.asText().length());
          }
        }
      }
    }
  }

  /** Adds the rules to {@code schema}'s {@code properties} (as {@code GET /tasks} shows it). */
  public ObjectNode describe(ObjectNode schema) {
    if (rules.isEmpty()) {
      return schema;
    }
    ObjectNode props =
        schema.has("properties") && schema.get("properties").isObject()
            ? (ObjectNode) schema.get("properties")
            : schema.putObject("properties");
    for (Rule rule : rules) {
      ObjectNode p =
          props.get(rule.field()) instanceof ObjectNode existing
              ? existing
              : props.putObject(rule.field());
      switch (rule) {
        case Range r -> p.put("minimum", r.min()).put("maximum", r.max());
        case MaxLength m -> p.put("maxLength", m.max());
      }
    }
    return schema;
  }

  public boolean isEmpty() {
    return rules.isEmpty();
  }

  private static String clip(JsonNode v) {
    String s = v.toString();
    return s.length() <= 40 ? s : s.substring(0, 40) + "...";
  }

  /** Collects rules; a bad bound fails at once, naming the field. */
  public static final class Builder {
    private final List<Rule> rules = new ArrayList<>();

    private Builder() {}

    /** {@code field} must be a whole number in {@code [min, max]} when present. */
    public Builder range(String field, long min, long max) {
      Objects.requireNonNull(field, "field");
      if (min > max) {
        throw new IllegalArgumentException(field + ": min " + min + " > max " + max);
      }
      rules.add(new Range(field, min, max));
      return this;
    }

    /** {@code field} must be a string of at most {@code max} characters when present. */
    public Builder maxLength(String field, int max) {
      Objects.requireNonNull(field, "field");
      if (max < 0) {
        throw new IllegalArgumentException(field + ": maxLength must be >= 0, was " + max);
      }
      rules.add(new MaxLength(field, max));
      return this;
    }

    public InputRules build() {
      return new InputRules(rules);
    }
  }
}
