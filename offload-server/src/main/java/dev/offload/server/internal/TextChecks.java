package dev.offload.server.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.offload.InvalidInputException;
import java.util.Map;

/**
 * Refuses strings no store keeps faithfully: NUL (PostgreSQL's text and jsonb reject it) and lone
 * UTF-16 surrogates (every store's UTF-8 encoder turns them into {@code ?}). Checked at the door,
 * so every store answers the same 422 naming the field, and no store error is ever provoked.
 */
public final class TextChecks {
  private TextChecks() {}

  /**
   * Checks every string and object key in {@code node}; {@code path} names it ({@code input},
   * {@code queue}; empty for the body root).
   *
   * @throws InvalidInputException naming the field, e.g. {@code input.text}
   */
  public static void check(JsonNode node, String path) {
    if (node == null) {
      return;
    }
    if (node.isTextual()) {
      check(node.textValue(), path);
    } else if (node.isObject()) {
      for (Map.Entry<String, JsonNode> e : node.properties()) {
        String child = path.isEmpty() ? e.getKey() : path + "." + e.getKey();
        check(e.getKey(), path.isEmpty() ? "(key)" : path + " (key)");
        check(e.getValue(), child);
      }
    } else if (node.isArray()) {
      for (int i = 0; i < node.size(); i++) {
        check(node.get(i), path + "[" + i + "]");
      }
    }
  }

  /**
   * @throws InvalidInputException when {@code text} holds NUL or a lone surrogate
   */
  public static void check(String text, String field) {
    if (text == null) {
      return;
    }
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == 0) {
        throw new InvalidInputException(field, "must not contain NUL (\\u0000) at index " + i);
      }
      if (Character.isHighSurrogate(c)) {
        if (i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
          i++;
          continue;
        }
        throw new InvalidInputException(field, "holds a lone UTF-16 surrogate at index " + i);
      }
      if (Character.isLowSurrogate(c)) {
        throw new InvalidInputException(field, "holds a lone UTF-16 surrogate at index " + i);
      }
    }
  }
}
