package dev.offload.dashboard.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.offload.server.ProblemException;
import dev.offload.server.ProblemType;
import dev.offload.server.Scope;
import dev.offload.server.ServerContext;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.io.IOException;
import java.io.InputStream;
import java.util.Set;

/**
 * Signing the dashboard in with an API token: {@code POST /dashboard/api/session {"token": ...}}
 * sets an HttpOnly, {@code SameSite=Strict} session cookie (the token itself never reaches the
 * page's script after this) and answers the CSRF token the page sends with every action; {@code
 * GET} tells the page whether it must sign in; {@code DELETE} signs out.
 */
public final class SessionApi {
  private static final int MAX_BODY = 4096;

  private final ServerContext ctx;

  public SessionApi(ServerContext ctx) {
    this.ctx = ctx;
  }

  public void get(ServerRequest req, ServerResponse res) {
    Set<Scope> scopes = ctx.scopes(req);
    ObjectNode body = ctx.objectMapper().createObjectNode();
    body.put("tokensRequired", ctx.tokensRequired());
    body.put("signedIn", !scopes.isEmpty());
    scopes(body, scopes);
    body.put("csrf", ctx.csrfToken(req).orElse(null));
    ctx.sendJson(res, 200, body);
  }

  public void signIn(ServerRequest req, ServerResponse res) throws IOException {
    if (!ctx.tokensRequired()) {
      throw new ProblemException(
          ProblemType.BAD_REQUEST,
          "this server requires no tokens; there is nothing to sign in to");
    }
    JsonNode body;
    try (InputStream in = req.content().inputStream()) {
      byte[] bytes = in.readNBytes(MAX_BODY + 1);
      if (bytes.length > MAX_BODY) {
        throw new ProblemException(ProblemType.BODY_TOO_LARGE, "a sign-in body is a token");
      }
      body = ctx.objectMapper().readTree(bytes);
    }
    JsonNode token = body == null ? null : body.get("token");
    if (token == null || !token.isTextual()) {
      throw new ProblemException(ProblemType.INVALID_INPUT, "send {\"token\": \"...\"}");
    }
    ServerContext.SignIn session =
        ctx.signIn(token.asText().strip())
            .orElseThrow(() ->
                new ProblemException(ProblemType.UNAUTHORIZED, "that is not a valid API token"));
    res.header(
        HeaderNames.SET_COOKIE,
        session.cookieName()
            + "="
            + session.sessionId()
            + "; Path=/; HttpOnly; SameSite=Strict; Max-Age="
            + session.maxAge().toSeconds()
            + (session.secure() ? "; Secure" : ""));
    ObjectNode out = ctx.objectMapper().createObjectNode();
    out.put("tokensRequired", true);
    out.put("signedIn", true);
    scopes(out, session.scopes());
    out.put("csrf", session.csrf());
    ctx.sendJson(res, 200, out);
  }

  public void signOut(ServerRequest req, ServerResponse res) {
    ctx.signOut(req);
    res.header(
        HeaderNames.SET_COOKIE, "offload_session=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0");
    res.status(204);
    res.send();
  }

  private static void scopes(ObjectNode body, Set<Scope> scopes) {
    ArrayNode list = body.putArray("scopes");
    for (Scope s : Scope.values()) {
      if (scopes.contains(s)) {
        list.add(s.wireName());
      }
    }
  }
}
