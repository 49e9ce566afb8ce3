package dev.offload.server.internal;

import dev.offload.server.ApiTokens;
import dev.offload.server.Problem;
import dev.offload.server.ProblemException;
import dev.offload.server.ProblemType;
import dev.offload.server.Scope;
import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.http.HttpMediaType;
import io.helidon.http.Method;
import io.helidon.webserver.http.ServerRequest;
import java.net.URI;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * Decides, before any handler runs, whether a request may proceed. Design note: one filter in front
 * of every route (API and extensions alike), so no route can forget a check.
 *
 * <ul>
 *   <li>Every POST that carries a body (or any Content-Type) must be {@code application/json}: 415
 *       otherwise. Browsers cannot send that cross-site without a CORS preflight, which this server
 *       never grants.
 *   <li>Without tokens (the loopback default): the {@code Host} must be the bind address or a
 *       loopback name, and an {@code Origin}, when sent, must be this very server: 403 otherwise
 *       (cross-site requests and DNS rebinding).
 *   <li>With tokens: {@code Authorization: Bearer TOKEN}, or the dashboard's session cookie plus
 *       its CSRF header on anything but GET; 401 without a valid one, 403 outside its scopes.
 * </ul>
 *
 * The scopes granted are left in the request's context ({@link Granted}) for handlers that show
 * more to admins (the dashboard's stack traces).
 */
public final class AccessGuard {
  private static final Set<Scope> ALL = Set.copyOf(EnumSet.allOf(Scope.class));
  private static final HeaderName CSRF = HeaderNames.create(Sessions.CSRF_HEADER);
  private static final Set<String> LOOPBACK_NAMES =
      Set.of("localhost", "127.0.0.1", "::1", "[::1]", "0:0:0:0:0:0:0:1");

  /** What the request may do; registered in its context. */
  public record Granted(Set<Scope> scopes, Sessions.Session session) {
    public boolean has(Scope scope) {
      return scopes.contains(scope);
    }
  }

  private final ApiTokens tokens;
  private final Sessions sessions;
  private final boolean metricsOpen;
  private final String bindHost;
  private final boolean checkHost;

  public AccessGuard(ApiTokens tokens, Sessions sessions, boolean metricsOpen, String bindHost) {
    this.tokens = tokens;
    this.sessions = sessions;
    this.metricsOpen = metricsOpen;
    this.bindHost = stripBrackets(bindHost.toLowerCase(Locale.ROOT));
    this.checkHost = !isWildcard(this.bindHost);
  }

  public boolean tokensRequired() {
    return tokens != null;
  }

  public ApiTokens tokens() {
    return tokens;
  }

  /**
   * Checks {@code req}; returns what it may do or throws the problem to answer with.
   *
   * @throws ProblemException 401, 403 or 415
   */
  public Granted check(ServerRequest req) {
    Method method = req.prologue().method();
    String path = req.path().path();
    if (path.startsWith("/health/")) {
      return new Granted(ALL, null);
    }
    if (method == Method.POST || method == Method.PUT || method == Method.PATCH) {
      checkJson(req);
    }
    if (tokens == null) {
      checkHostAndOrigin(req);
      return new Granted(ALL, null);
    }
    Scope needed = requiredScope(method, path);
    Granted granted = authenticate(req, needed != null);
    if (needed != null && !granted.has(needed)) {
      throw new ProblemException(
          Problem.of(
                  ProblemType.FORBIDDEN,
                  method.text()
                      + " "
                      + path
                      + " needs the '"
                      + needed.wireName()
                      + "' scope, which this token lacks")
              .with("scope", needed.wireName()));
    }
    return granted;
  }

  /** The scope a route needs, or {@code null} for the open ones. */
  Scope requiredScope(Method method, String path) {
    boolean read = method == Method.GET || method == Method.HEAD;
    if (path.equals("/metrics")) {
      return metricsOpen ? null : Scope.READ;
    }
    if (read
        && (path.equals("/")
            || path.equals("/openapi.json")
            || path.equals("/docs")
            || path.startsWith("/docs/")
            || (path.startsWith("/dashboard/") && !path.startsWith("/dashboard/api/")))) {
      return null; // static files: no job data in them
    }
    if (path.equals("/dashboard/api/session")) {
      return null; // sign-in and sign-out check the token themselves
    }
    if (read) {
      return Scope.READ;
    }
    if (method == Method.POST
        && (path.equals("/jobs")
            || (path.startsWith("/tasks/") && (path.endsWith("/run") || path.endsWith("/map"))))) {
      return Scope.SUBMIT;
    }
    return Scope.ADMIN;
  }

  private Granted authenticate(ServerRequest req, boolean required) {
    Optional<String> auth = req.headers().first(HeaderNames.AUTHORIZATION);
    if (auth.isPresent()) {
      String value = auth.get();
      if (value.regionMatches(true, 0, "Bearer ", 0, 7)) {
        Optional<Set<Scope>> scopes = tokens.check(value.substring(7).strip());
        if (scopes.isPresent()) {
          return new Granted(scopes.get(), null);
        }
      }
      throw unauthorized("the Authorization header holds no valid API token");
    }
    Optional<String> cookie = req.headers().cookies().first(Sessions.COOKIE).asOptional();
    if (cookie.isPresent()) {
      Optional<Sessions.Session> session = sessions.find(cookie.get());
      if (session.isPresent()) {
        Method m = req.prologue().method();
        if (m != Method.GET
            && m != Method.HEAD
            && !req.path().path().equals("/dashboard/api/session")
            && !Sessions.csrfMatches(session.get(), req.headers().first(CSRF).orElse(null))) {
          throw new ProblemException(
              ProblemType.FORBIDDEN,
              "a signed-in browser must send the " + Sessions.CSRF_HEADER + " header it was given");
        }
        return new Granted(session.get().scopes(), session.get());
      }
      if (required) {
        throw unauthorized("the dashboard session has ended; sign in again");
      }
    }
    if (required) {
      throw unauthorized("send Authorization: Bearer TOKEN (see docs/SECURITY.md)");
    }
    return new Granted(Set.of(), null);
  }

  private static ProblemException unauthorized(String detail) {
    return new ProblemException(ProblemType.UNAUTHORIZED, detail);
  }

  private static void checkJson(ServerRequest req) {
    Optional<HttpMediaType> type = req.headers().contentType();
    boolean hasBody =
        req.headers().contains(HeaderNames.TRANSFER_ENCODING)
            || req.headers().contentLength().orElse(0) > 0;
    if (type.isEmpty() && !hasBody) {
      return;
    }
    String media = type.map(t -> t.mediaType().text().toLowerCase(Locale.ROOT)).orElse("none");
    if (!media.equals("application/json") && !media.endsWith("+json")) {
      throw new ProblemException(
          Problem.of(
                  ProblemType.UNSUPPORTED_MEDIA_TYPE,
                  "the body must be sent as Content-Type: application/json, was " + media)
              .with("contentType", media));
    }
  }

  private void checkHostAndOrigin(ServerRequest req) {
    String host = req.headers().first(HeaderNames.HOST).orElse(null);
    if (checkHost && host != null && !allowedHost(hostPart(host))) {
      throw new ProblemException(
          ProblemType.FORBIDDEN,
          "Host '"
              + host
              + "' is not this server's address; without --tokens only "
              + bindHost
              + " and loopback names are answered");
    }
    Optional<String> origin = req.headers().first(HeaderNames.ORIGIN);
    if (origin.isPresent() && !sameOrigin(origin.get(), host)) {
      throw new ProblemException(
          ProblemType.FORBIDDEN,
          "cross-site request refused (Origin " + origin.get() + " is not this server)");
    }
  }

  private boolean sameOrigin(String origin, String host) {
    URI uri;
    try {
      uri = URI.create(origin.strip());
    } catch (IllegalArgumentException e) {
      return false;
    }
    if (uri.getHost() == null || uri.getRawAuthority() == null || host == null) {
      return false; // "null" and other opaque origins
    }
    String originHost = stripBrackets(uri.getHost().toLowerCase(Locale.ROOT));
    String expected = host.strip();
    boolean sameAuthority =
        uri.getRawAuthority().equalsIgnoreCase(expected)
            || (uri.getPort() == -1 && defaultPortAuthority(uri).equalsIgnoreCase(expected));
    return sameAuthority && allowedHost(originHost);
  }

  private static String defaultPortAuthority(URI uri) {
    int port = "https".equalsIgnoreCase(uri.getScheme()) ? 443 : 80;
    return uri.getRawAuthority() + ":" + port;
  }

  private boolean allowedHost(String host) {
    String h = stripBrackets(host.toLowerCase(Locale.ROOT));
    return h.equals(bindHost) || LOOPBACK_NAMES.contains(h) || h.endsWith(".localhost");
  }

  static String hostPart(String hostHeader) {
    String h = hostHeader.strip();
    if (h.startsWith("[")) {
      int end = h.indexOf(']');
      return end < 0 ? h : h.substring(1, end);
    }
    int colon = h.lastIndexOf(':');
    return colon >= 0 && h.indexOf(':') == colon ? h.substring(0, colon) : h;
  }

  private static String stripBrackets(String h) {
    return h.startsWith("[") && h.endsWith("]") ? h.substring(1, h.length() - 1) : h;
  }

  static boolean isWildcard(String host) {
    return host.equals("0.0.0.0") || host.equals("::") || host.equals("0:0:0:0:0:0:0:0");
  }

  /** Whether {@code host} reaches only this machine. */
  public static boolean isLoopback(String host) {
    String h = stripBrackets(host.toLowerCase(Locale.ROOT));
    return LOOPBACK_NAMES.contains(h) || h.startsWith("127.");
  }
}
