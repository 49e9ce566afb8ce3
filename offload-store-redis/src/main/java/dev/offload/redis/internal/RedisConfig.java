package dev.offload.redis.internal;

import dev.offload.JobStores;
import dev.offload.StoreException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * A parsed store URL: {@code redis://[user:password@]host[:port][/db][?prefix=p&...]}, or {@code
 * rediss://} for TLS. {@code redis://secret@host} (no colon) passes {@code secret} as the password.
 *
 * <p>Query parameters: {@code prefix} (key prefix, default {@code offload}), {@code maxFinished}
 * (cap on finished jobs kept, default 0: none, every finished job is kept until the engine purges
 * it after its result retention; with a cap the oldest are dropped early, logged and counted),
 * {@code poolSize} (pooled connections, default 16), {@code connectTimeout} and {@code timeout}
 * (e.g. {@code 3s}, {@code 500ms}, or ISO-8601 {@code PT3S}; defaults 3s and 10s).
 *
 * @param url the URL as given
 * @param ssl whether to use TLS
 * @param host server host
 * @param port server port
 * @param database database number
 * @param user ACL user, or null
 * @param password password, or null
 * @param prefix key prefix; several installations share one Redis with distinct prefixes
 * @param maxFinished cap on finished jobs kept (oldest dropped first, each drop logged and counted
 *     in {@code finishedDropped}); 0 (the default) for no cap
 * @param poolSize pooled command connections
 * @param connectTimeout TCP connect timeout
 * @param timeout socket read timeout of a command
 */
public record RedisConfig(
    String url,
    boolean ssl,
    String host,
    int port,
    int database,
    String user,
    String password,
    String prefix,
    long maxFinished,
    int poolSize,
    Duration connectTimeout,
    Duration timeout) {

  private static final Set<String> PARAMS =
      Set.of("prefix", "maxFinished", "poolSize", "connectTimeout", "timeout");
  private static final Pattern PREFIX = Pattern.compile("[A-Za-z0-9_.:{}\\-]{1,100}");

  /** The URL with any password masked, for messages and logs. */
  public String maskedUrl() {
    return mask(url);
  }

  /**
   * {@link JobStores#maskPassword} plus the forms only Redis URLs have: an empty user ({@code
   * redis://:secret@host}) and a bare password ({@code redis://secret@host}).
   */
  static String mask(String url) {
    if (url == null) {
      return null;
    }
    return JobStores.maskPassword(url)
        .replaceAll("(://):[^@/]*@", "$1:***@")
        .replaceAll("(://)[^:/@]+@", "$1***@");
  }

  /**
   * Parses a store URL.
   *
   * @throws StoreException naming the URL (password masked) when it is not a valid Redis URL
   */
  public static RedisConfig parse(String url) {
    try {
      return parseOrThrow(url);
    } catch (URISyntaxException | IllegalArgumentException e) {
      // A URISyntaxException message quotes the whole URL: mask it as well.
      String why = e.getMessage() == null ? e.toString() : e.getMessage();
      if (url != null && why.contains(url)) {
        why = why.replace(url, mask(url));
      }
      throw new StoreException(
          "invalid Redis store URL '"
              + mask(url)
              + "': "
              + why
              + " (expected redis://[user:password@]host:port/db?prefix=...)",
          e);
    }
  }

  private static RedisConfig parseOrThrow(String url) throws URISyntaxException {
    URI uri = new URI(url);
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("redis") && !scheme.equals("rediss")) {
      throw new IllegalArgumentException("scheme must be redis or rediss");
    }
    if (uri.getHost() == null || uri.getHost().isBlank()) {
      throw new IllegalArgumentException("no host");
    }
    String user = null;
    String password = null;
    String info = uri.getUserInfo();
    if (info != null && !info.isEmpty()) {
      int colon = info.indexOf(':');
      if (colon < 0) {
        password = info;
      } else {
        user = colon == 0 ? null : info.substring(0, colon);
        password = info.substring(colon + 1);
      }
    }
    int database = 0;
    String path = uri.getPath();
    if (path != null && !path.isEmpty() && !path.equals("/")) {
      try {
        database = Integer.parseInt(path.substring(1));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("database must be a number, got '" + path + "'");
      }
      if (database < 0) {
        throw new IllegalArgumentException("database must be >= 0, got " + database);
      }
    }
    Map<String, String> q = query(uri.getRawQuery());
    String prefix = q.getOrDefault("prefix", "offload");
    if (!PREFIX.matcher(prefix).matches()) {
      throw new IllegalArgumentException(
          "prefix must be 1-100 characters of [A-Za-z0-9_.:{}-], got '" + prefix + "'");
    }
    long maxFinished = Long.parseLong(q.getOrDefault("maxFinished", "0"));
    if (maxFinished < 0) {
      throw new IllegalArgumentException("maxFinished must be >= 0, got " + maxFinished);
    }
    int poolSize = Integer.parseInt(q.getOrDefault("poolSize", "16"));
    if (poolSize < 1) {
      throw new IllegalArgumentException("poolSize must be >= 1, got " + poolSize);
    }
    return new RedisConfig(
        url,
        scheme.equals("rediss"),
        uri.getHost(),
        uri.getPort() < 0 ? 6379 : uri.getPort(),
        database,
        user,
        password,
        prefix,
        maxFinished,
        poolSize,
        duration("connectTimeout", q.getOrDefault("connectTimeout", "3s")),
        duration("timeout", q.getOrDefault("timeout", "10s")));
  }

  private static Map<String, String> query(String raw) {
    Map<String, String> q = new TreeMap<>();
    if (raw == null || raw.isEmpty()) {
      return q;
    }
    for (String pair : raw.split("&")) {
      if (pair.isEmpty()) {
        continue;
      }
      int eq = pair.indexOf('=');
      String key = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
      String value =
          eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
      if (!PARAMS.contains(key)) {
        throw new IllegalArgumentException(
            "unknown parameter '" + key + "'; known: " + new TreeSet<>(PARAMS));
      }
      q.put(key, value);
    }
    return q;
  }

  private static Duration duration(String name, String text) {
    String t = text.trim().toLowerCase(Locale.ROOT);
    Duration d;
    if (t.startsWith("pt")) {
      d = Duration.parse(t);
    } else if (t.endsWith("ms")) {
      d = Duration.ofMillis(Long.parseLong(t.substring(0, t.length() - 2)));
    } else if (t.endsWith("s")) {
      d = Duration.ofSeconds(Long.parseLong(t.substring(0, t.length() - 1)));
    } else {
      throw new IllegalArgumentException(name + " must look like 3s, 500ms or PT3S, got " + text);
    }
    if (d.isNegative() || d.isZero()) {
      throw new IllegalArgumentException(name + " must be positive, got " + text);
    }
    return d;
  }
}
