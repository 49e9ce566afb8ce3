package dev.offload.server;

import java.util.Locale;

/**
 * What an API token may do. {@code read}: GET routes, events, dashboard views; {@code submit}: run,
 * map and submit; {@code admin}: cancel, retry, delete and the dashboard's actions and stack
 * traces. Scopes do not imply each other: a token that should do everything lists all three.
 */
public enum Scope {
  READ,
  SUBMIT,
  ADMIN;

  /** The name used in tokens files and problems: {@code read}, {@code submit}, {@code admin}. */
  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The scope called {@code name}; names the allowed ones when there is none. */
  public static Scope fromWireName(String name) {
    for (Scope s : values()) {
      if (s.wireName().equals(name)) {
        return s;
      }
    }
    throw new IllegalArgumentException(
        "unknown scope '" + name + "'; expected read, submit or admin");
  }
}
