package dev.offload.spi;

import dev.offload.InvalidInputException;
import dev.offload.JobStores;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * A broker URL taken apart: {@code
 * scheme://[user[:password]@]host[:port][,host:port…][/path][?option=value&…]}. Options every
 * transport takes: {@code prefix} (names in the broker, default {@code offload}), {@code
 * max-deliveries} (default 20) and {@code ack-timeout} (default {@code 30s}).
 *
 * <p>{@code BrokerUrl.parse("nats://127.0.0.1:4222?prefix=shop&ack-timeout=10s")}
 */
public final class BrokerUrl {
  /** Options every transport takes. */
  public static final Set<String> COMMON_OPTIONS =
      Set.of("prefix", "max-deliveries", "ack-timeout");

  private final String url;
  private final String scheme;
  private final String user;
  private final String password;
  private final List<String> hosts;
  private final String path;
  private final Map<String, String> options;

  private BrokerUrl(
      String url,
      String scheme,
      String user,
      String password,
      List<String> hosts,
      String path,
      Map<String, String> options) {
    this.url = url;
    this.scheme = scheme;
    this.user = user;
    this.password = password;
    this.hosts = hosts;
    this.path = path;
    this.options = options;
  }

  /**
   * @throws InvalidInputException naming what is malformed
   */
  public static BrokerUrl parse(String url) {
    if (url == null || url.isBlank()) {
      throw new InvalidInputException("broker", "a broker URL is required");
    }
    int colon = url.indexOf("://");
    if (colon <= 0) {
      throw new InvalidInputException(
          "broker", "not a broker URL: '" + mask(url) + "'; expected scheme://host:port");
    }
    String scheme = url.substring(0, colon);
    String rest = url.substring(colon + 3);
    Map<String, String> options = new LinkedHashMap<>();
    int q = rest.indexOf('?');
    if (q >= 0) {
      for (String pair : rest.substring(q + 1).split("&")) {
        if (pair.isEmpty()) {
          continue;
        }
        int eq = pair.indexOf('=');
        if (eq <= 0) {
          throw new InvalidInputException(
              "broker", "option '" + pair + "' needs a value (name=value)");
        }
        options.put(pair.substring(0, eq), decode(pair.substring(eq + 1)));
      }
      rest = rest.substring(0, q);
    }
    String path = null;
    int slash = rest.indexOf('/');
    if (slash >= 0) {
      path = decode(rest.substring(slash + 1));
      rest = rest.substring(0, slash);
    }
    String user = null;
    String password = null;
    int at = rest.lastIndexOf('@');
    if (at >= 0) {
      String info = rest.substring(0, at);
      rest = rest.substring(at + 1);
      int c = info.indexOf(':');
      user = decode(c >= 0 ? info.substring(0, c) : info);
      password = c >= 0 ? decode(info.substring(c + 1)) : null;
    }
    List<String> hosts = new ArrayList<>();
    for (String h : rest.split(",")) {
      if (h.isBlank()) {
        throw new InvalidInputException("broker", "no host in '" + mask(url) + "'");
      }
      hosts.add(h);
    }
    return new BrokerUrl(url, scheme, user, password, List.copyOf(hosts), path, options);
  }

  private static String decode(String s) {
    return URLDecoder.decode(s, StandardCharsets.UTF_8);
  }

  private static String mask(String url) {
    return JobStores.maskPassword(url);
  }

  /** Fails naming the first option that is neither common nor in {@code extra}. */
  public BrokerUrl requireKnownOptions(Set<String> extra) {
    Set<String> known = new TreeSet<>(COMMON_OPTIONS);
    known.addAll(extra);
    for (String name : options.keySet()) {
      if (!known.contains(name)) {
        throw new InvalidInputException(
            name, "unknown option in broker URL '" + display() + "'; known: " + known);
      }
    }
    return this;
  }

  public String scheme() {
    return scheme;
  }

  /** The user, or {@code null}. */
  public String user() {
    return user;
  }

  /** The password, or {@code null}. */
  public String password() {
    return password;
  }

  /** {@code host:port} (or {@code host}) entries, at least one. */
  public List<String> hosts() {
    return hosts;
  }

  /** The decoded path after the hosts (a RabbitMQ virtual host), or {@code null}. */
  public String path() {
    return path;
  }

  public Optional<String> option(String name) {
    return Optional.ofNullable(options.get(name));
  }

  /** The URL without its options, password masked. */
  public String display() {
    int q = url.indexOf('?');
    return mask(q >= 0 ? url.substring(0, q) : url);
  }

  /** {@code prefix}: letters, digits, {@code -} and {@code _}, 1-40 characters. */
  public String prefix() {
    String p = option("prefix").orElse("offload");
    if (!p.matches("[A-Za-z0-9_-]{1,40}")) {
      throw new InvalidInputException(
          "prefix",
          "use 1-40 letters, digits, '-' or '_' (it names broker objects), was '" + p + "'");
    }
    return p;
  }

  public int maxDeliveries() {
    return intOption("max-deliveries", 20, 1, 1000);
  }

  public Duration ackTimeout() {
    return durationOption("ack-timeout", Duration.ofSeconds(30));
  }

  public int intOption(String name, int fallback, int min, int max) {
    Optional<String> v = option(name);
    if (v.isEmpty()) {
      return fallback;
    }
    try {
      int n = Integer.parseInt(v.get());
      if (n >= min && n <= max) {
        return n;
      }
    } catch (NumberFormatException e) {
      // reported below with the allowed range
    }
    throw new InvalidInputException(
        name, "expected a whole number from " + min + " to " + max + ", was '" + v.get() + "'");
  }

  /** A positive duration: {@code 500ms}, {@code 10s}, {@code 2m}, or ISO-8601 ({@code PT10S}). */
  public Duration durationOption(String name, Duration fallback) {
    Optional<String> v = option(name);
    if (v.isEmpty()) {
      return fallback;
    }
    Duration d = parseDuration(v.get());
    if (d == null || d.isNegative() || d.isZero()) {
      throw new InvalidInputException(
          name, "expected a positive duration such as 500ms, 10s or PT10S, was '" + v.get() + "'");
    }
    return d;
  }

  private static Duration parseDuration(String s) {
    try {
      if (s.endsWith("ms")) {
        return Duration.ofMillis(Long.parseLong(s.substring(0, s.length() - 2)));
      }
      if (s.endsWith("s")) {
        return Duration.ofSeconds(Long.parseLong(s.substring(0, s.length() - 1)));
      }
      if (s.endsWith("m")) {
        return Duration.ofMinutes(Long.parseLong(s.substring(0, s.length() - 1)));
      }
      return Duration.parse(s);
    } catch (NumberFormatException | DateTimeParseException e) {
      return null;
    }
  }

  @Override
  public String toString() {
    return display();
  }
}
