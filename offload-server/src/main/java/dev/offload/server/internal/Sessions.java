package dev.offload.server.internal;

import dev.offload.server.Scope;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Base64;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Dashboard sign-ins: a random session id (the HttpOnly cookie) mapped to the token's scopes and a
 * CSRF token the page echoes in a header on every action. Kept in memory only: a restart signs
 * everybody out, and a token's session never outlives {@link #TTL}.
 */
public final class Sessions {
  public static final Duration TTL = Duration.ofHours(12);
  public static final String COOKIE = "offload_session";
  public static final String CSRF_HEADER = "X-CSRF-Token";
  private static final int MAX_SESSIONS = 10_000;

  /** One signed-in browser. */
  public record Session(String id, String csrf, Set<Scope> scopes, Instant expires) {}

  private final SecureRandom random = new SecureRandom();
  private final Map<String, Session> byId = new ConcurrentHashMap<>();
  private final InstantSource clock;

  public Sessions(InstantSource clock) {
    this.clock = clock;
  }

  public Session create(Set<Scope> scopes) {
    Instant now = clock.instant();
    if (byId.size() >= MAX_SESSIONS) {
      byId.values().removeIf(s -> s.expires().isBefore(now));
      if (byId.size() >= MAX_SESSIONS) {
        // Drop an arbitrary one rather than grow without bound.
        Iterator<String> it = byId.keySet().iterator();
        if (it.hasNext()) {
          byId.remove(it.next());
        }
      }
    }
    Session s = new Session(randomId(), randomId(), Set.copyOf(scopes), now.plus(TTL));
    byId.put(s.id(), s);
    return s;
  }

  public Optional<Session> find(String id) {
    if (id == null || id.isEmpty()) {
      return Optional.empty();
    }
    Session s = byId.get(id);
    if (s == null) {
      return Optional.empty();
    }
    if (s.expires().isBefore(clock.instant())) {
      byId.remove(id);
      return Optional.empty();
    }
    return Optional.of(s);
  }

  public void remove(String id) {
    if (id != null) {
      byId.remove(id);
    }
  }

  /** Whether {@code presented} is {@code session}'s CSRF token (constant time). */
  public static boolean csrfMatches(Session session, String presented) {
    return presented != null
        && MessageDigest.isEqual(
            session.csrf().getBytes(java.nio.charset.StandardCharsets.US_ASCII),
            presented.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
  }

  private String randomId() {
    byte[] bytes = new byte[32];
    random.nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }
}
