package dev.offload.dashboard.internal;

import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * The dashboard's files, read once from the class path under {@code /dashboard/} and served with an
 * ETag so browsers revalidate cheaply. Only plain names with a known extension are looked up: no
 * {@code ..}, no directory listing, no other part of the class path.
 */
public final class StaticAssets {
  private static final Pattern SAFE =
      Pattern.compile("[a-z0-9][a-z0-9_-]*(/[a-z0-9][a-z0-9_-]*)*\\.[a-z]+");

  private static final Map<String, String> TYPES =
      Map.of(
          "html", "text/html; charset=utf-8",
          "js", "text/javascript; charset=utf-8",
          "css", "text/css; charset=utf-8",
          "svg", "image/svg+xml",
          "png", "image/png",
          "ico", "image/x-icon",
          "webmanifest", "application/manifest+json");

  /**
   * Scripts, styles and connections from this origin only; no inline script, no frames. Inline SVG
   * and element.style from the modules are allowed by this policy.
   */
  static final String CSP =
      "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
          + "connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; "
          + "form-action 'self'";

  private final String root;
  private final Map<String, Optional<Asset>> cache = new ConcurrentHashMap<>();

  private record Asset(byte[] bytes, String type, String etag) {}

  /** Serves class path resources under {@code root} (e.g. {@code "/dashboard/"}). */
  public StaticAssets(String root) {
    this.root = root.endsWith("/") ? root : root + "/";
  }

  /** Sends {@code name} (relative to the root); false if there is no such asset. */
  public boolean send(String name, ServerRequest req, ServerResponse res) {
    if (!SAFE.matcher(name).matches()) {
      return false;
    }
    Optional<Asset> found = cache.computeIfAbsent(name, this::load);
    if (found.isEmpty()) {
      return false;
    }
    Asset a = found.get();
    res.header(HeaderNames.ETAG, a.etag());
    res.header(HeaderNames.CACHE_CONTROL, "no-cache");
    res.header("X-Content-Type-Options", "nosniff");
    res.header("Referrer-Policy", "no-referrer");
    if (a.type().startsWith("text/html")) {
      res.header("Content-Security-Policy", CSP);
    }
    String ifNoneMatch = req.headers().value(HeaderNames.IF_NONE_MATCH).orElse(null);
    if (a.etag().equals(ifNoneMatch)) {
      res.status(304);
      res.send();
      return true;
    }
    res.header(HeaderNames.CONTENT_TYPE, a.type());
    res.send(a.bytes());
    return true;
  }

  private Optional<Asset> load(String name) {
    String ext = name.substring(name.lastIndexOf('.') + 1);
    String type = TYPES.get(ext);
    if (type == null) {
      return Optional.empty();
    }
    try (InputStream in = StaticAssets.class.getResourceAsStream(root + name)) {
      if (in == null) {
        return Optional.empty();
      }
      byte[] bytes = in.readAllBytes();
      return Optional.of(new Asset(bytes, type, etag(bytes)));
    } catch (IOException e) {
      throw new UncheckedIOException("reading dashboard asset " + name, e);
    }
  }

  private static String etag(byte[] bytes) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(bytes);
      return "\"" + HexFormat.of().formatHex(digest, 0, 12) + "\"";
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is always present", e);
    }
  }
}
