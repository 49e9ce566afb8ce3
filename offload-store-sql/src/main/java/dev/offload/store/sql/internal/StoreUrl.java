package dev.offload.store.sql.internal;

import dev.offload.InvalidInputException;
import dev.offload.JobStores;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A parsed store URL: which dialect, how to reach it, and the few options Offload reads itself.
 *
 * <p>Accepted forms: {@code sqlite:PATH}, {@code sqlite:} (the default file), {@code
 * jdbc:sqlite:PATH}, {@code postgresql://user[:password]@host[:port]/db[?options]}, {@code
 * postgres://…} and {@code jdbc:postgresql://host[:port]/db[?user=…&password=…]}. Unknown Offload
 * options are rejected rather than ignored; PostgreSQL driver options pass through.
 *
 * @param dialect which database
 * @param jdbcUrl the driver URL, without user and password
 * @param user PostgreSQL user, or {@code null}
 * @param password PostgreSQL password, or {@code null}
 * @param schema PostgreSQL schema holding the tables ({@code public} unless {@code currentSchema}
 *     is given); {@code null} for SQLite
 * @param file the SQLite database file (absolute), or {@code null}
 * @param poolSize connections in the pool
 * @param busyTimeout SQLite: how long a writer waits for another process's write lock
 * @param display the URL as given with any password masked, for messages
 */
public record StoreUrl(
    Dialect.Kind dialect,
    String jdbcUrl,
    String user,
    String password,
    String schema,
    Path file,
    int poolSize,
    Duration busyTimeout,
    String display) {

  /** Where {@code sqlite:} with no path keeps its file. */
  public static final String DEFAULT_SQLITE_FILE = "./offload-data/offload.db";

  /** URL schemes this module opens. */
  public static final Set<String> SCHEMES =
      Set.of("sqlite", "jdbc:sqlite", "postgresql", "postgres", "jdbc:postgresql");

  private static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,62}");
  private static final int DEFAULT_CONNECT_TIMEOUT_SECONDS = 5;

  /**
   * Parses {@code url}.
   *
   * @throws InvalidInputException naming the (masked) URL when it is not one of the forms above
   */
  public static StoreUrl parse(String url) {
    if (url == null || url.isBlank()) {
      throw new InvalidInputException("store", "a store URL is required");
    }
    String rest = url.startsWith("jdbc:") ? url.substring(5) : url;
    if (rest.startsWith("sqlite:")) {
      return sqlite(url, rest.substring("sqlite:".length()));
    }
    if (rest.startsWith("postgresql://") || rest.startsWith("postgres://")) {
      return postgres(url, rest.substring(rest.indexOf("://") + 3));
    }
    throw invalid(url, "expected sqlite:PATH or postgresql://user@host:port/db");
  }

  private static StoreUrl sqlite(String url, String spec) {
    String pathPart = spec;
    Map<String, String> options = Map.of();
    int q = spec.indexOf('?');
    if (q >= 0) {
      pathPart = spec.substring(0, q);
      options = query(url, spec.substring(q + 1));
    }
    if (pathPart.startsWith("//")) {
      pathPart = pathPart.substring(2);
    }
    if (pathPart.startsWith("file:")) {
      pathPart = pathPart.substring(5);
    }
    if (pathPart.isEmpty()) {
      pathPart = DEFAULT_SQLITE_FILE;
    }
    if (pathPart.contains(":memory:") || pathPart.contains("mode=memory")) {
      throw invalid(url, "an in-memory SQLite database is not durable; use the memory: store");
    }
    int poolSize = 4;
    Duration busy = Duration.ofSeconds(10);
    for (Map.Entry<String, String> e : options.entrySet()) {
      switch (e.getKey()) {
        case "poolSize" -> poolSize = positiveInt(url, e);
        case "busyTimeoutMs" -> busy = Duration.ofMillis(positiveInt(url, e));
        default ->
            throw invalid(
                url, "unknown option '" + e.getKey() + "' (known: poolSize, busyTimeoutMs)");
      }
    }
    Path file = Path.of(pathPart).toAbsolutePath().normalize();
    return new StoreUrl(
        Dialect.Kind.SQLITE,
        "jdbc:sqlite:" + file,
        null,
        null,
        null,
        file,
        poolSize,
        busy,
        JobStores.maskPassword(url));
  }

  private static StoreUrl postgres(String url, String spec) {
    URI uri;
    try {
      uri = new URI("postgresql://" + spec);
    } catch (URISyntaxException e) {
      throw invalid(url, "not a valid URL: " + e.getReason());
    }
    if (uri.getHost() == null) {
      throw invalid(url, "no host; expected postgresql://user@host:port/db");
    }
    String user = null;
    String password = null;
    if (uri.getRawUserInfo() != null) {
      String info = uri.getRawUserInfo();
      int colon = info.indexOf(':');
      user = decode(colon < 0 ? info : info.substring(0, colon));
      password = colon < 0 ? null : decode(info.substring(colon + 1));
    }
    Map<String, String> options =
        uri.getRawQuery() == null ? new LinkedHashMap<>() : query(url, uri.getRawQuery());
    int poolSize = 10;
    String schema = "public";
    StringBuilder driverQuery = new StringBuilder();
    boolean connectTimeoutGiven = false;
    for (Map.Entry<String, String> e : options.entrySet()) {
      switch (e.getKey()) {
        case "user" -> user = e.getValue();
        case "password" -> password = e.getValue();
        case "poolSize" -> poolSize = positiveInt(url, e);
        default -> {
          if (e.getKey().equals("currentSchema")) {
            schema = e.getValue().split(",")[0].trim();
            if (!IDENTIFIER.matcher(schema).matches()) {
              throw invalid(url, "currentSchema must be a plain identifier, was '" + schema + "'");
            }
          }
          connectTimeoutGiven |= e.getKey().equals("connectTimeout");
          driverQuery.append(driverQuery.isEmpty() ? "?" : "&");
          driverQuery
              .append(e.getKey())
              .append('=')
              .append(java.net.URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8));
        }
      }
    }
    if (!connectTimeoutGiven) {
      driverQuery.append(driverQuery.isEmpty() ? "?" : "&");
      driverQuery.append("connectTimeout=").append(DEFAULT_CONNECT_TIMEOUT_SECONDS);
    }
    String host = uri.getHost();
    int port = uri.getPort() < 0 ? 5432 : uri.getPort();
    String db = uri.getRawPath() == null || uri.getRawPath().length() <= 1 ? "" : uri.getRawPath();
    String jdbc = "jdbc:postgresql://" + host + ":" + port + db + driverQuery;
    return new StoreUrl(
        Dialect.Kind.POSTGRESQL,
        jdbc,
        user,
        password,
        schema,
        null,
        poolSize,
        Duration.ZERO,
        JobStores.maskPassword(url));
  }

  private static Map<String, String> query(String url, String raw) {
    Map<String, String> options = new LinkedHashMap<>();
    for (String pair : raw.split("&")) {
      if (pair.isEmpty()) {
        continue;
      }
      int eq = pair.indexOf('=');
      if (eq <= 0) {
        throw invalid(url, "option '" + pair + "' has no value");
      }
      options.put(decode(pair.substring(0, eq)), decode(pair.substring(eq + 1)));
    }
    return options;
  }

  private static int positiveInt(String url, Map.Entry<String, String> option) {
    try {
      int value = Integer.parseInt(option.getValue());
      if (value > 0) {
        return value;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw invalid(
        url,
        "option "
            + option.getKey()
            + " must be a positive integer, was '"
            + option.getValue()
            + "'");
  }

  private static String decode(String s) {
    return URLDecoder.decode(s, StandardCharsets.UTF_8);
  }

  private static InvalidInputException invalid(String url, String why) {
    return new InvalidInputException(
        "store", "bad store URL '" + JobStores.maskPassword(url) + "': " + why);
  }
}
