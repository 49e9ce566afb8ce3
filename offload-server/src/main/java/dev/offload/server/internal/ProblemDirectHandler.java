package dev.offload.server.internal;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.offload.server.ProblemType;
import io.helidon.http.DirectHandler;
import io.helidon.http.HeaderNames;
import io.helidon.http.ServerResponseHeaders;
import io.helidon.http.Status;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers what Helidon rejects before any route sees it (a bad request line or header, a malformed
 * chunk, HTTP/1.0, an oversized prologue) with problem+json instead of an empty body, and logs it
 * at DEBUG: a client's garbage is not the server's error.
 */
public final class ProblemDirectHandler implements DirectHandler {
  private static final Logger LOG = LoggerFactory.getLogger(ProblemDirectHandler.class);

  private final ObjectMapper mapper;

  public ProblemDirectHandler(ObjectMapper mapper) {
    this.mapper = mapper;
  }

  @Override
  public TransportResponse handle(
      TransportRequest request,
      EventType eventType,
      Status status,
      ServerResponseHeaders headers,
      Throwable thrown,
      System.Logger logger) {
    return handle(request, eventType, status, headers, thrown);
  }

  @Override
  public TransportResponse handle(
      TransportRequest request,
      EventType eventType,
      Status status,
      ServerResponseHeaders headers,
      Throwable thrown) {
    LOG.debug(
        "rejected before routing: {} {} ({})", status.code(), eventType, String.valueOf(thrown));
    String message = thrown == null ? status.reasonPhrase() : thrown.getMessage();
    return handle(request, eventType, status, headers, message);
  }

  @Override
  public TransportResponse handle(
      TransportRequest request,
      EventType eventType,
      Status status,
      ServerResponseHeaders headers,
      String message) {
    if (status.code() == 500 && !parsed(request)) {
      // Helidon reports some unparsable request lines (a non-ASCII method) as its own error; a
      // request whose line could not even be read never reached any code of ours: the client's.
      LOG.debug("unparsable request line answered 400 (Helidon said: {})", message);
      eventType = EventType.BAD_REQUEST;
      status = Status.BAD_REQUEST_400;
      message = "malformed request line";
    }
    if (eventType == EventType.HTTP_VERSION_NOT_SUPPORTED) {
      // RFC 9110 15.5.22: refused in this protocol, served after an upgrade to HTTP/1.1.
      status = Status.create(426, "Upgrade Required");
      headers.set(HeaderNames.UPGRADE, "HTTP/1.1");
    }
    int code = status.code();
    ProblemType type =
        switch (code) {
          case 413 -> ProblemType.BODY_TOO_LARGE;
          case 414 -> ProblemType.URI_TOO_LONG;
          case 403 -> ProblemType.FORBIDDEN;
          case 404 -> ProblemType.NOT_FOUND;
          case 426 -> ProblemType.UPGRADE_REQUIRED;
          default -> code >= 500 ? ProblemType.INTERNAL_ERROR : ProblemType.BAD_REQUEST;
        };
    String detail;
    if (eventType == EventType.HTTP_VERSION_NOT_SUPPORTED) {
      detail =
          "only HTTP/1.1 is served (was "
              + request.protocolVersion()
              + "); behind nginx set proxy_http_version 1.1";
    } else if (code >= 500) {
      detail = "the server could not answer this request; see server log";
    } else {
      detail = message == null || message.isBlank() ? status.reasonPhrase() : clip(message);
    }
    ObjectNode body = mapper.createObjectNode();
    body.put("type", type.uri());
    body.put("title", type.title());
    body.put("status", code);
    body.put("detail", detail);
    byte[] bytes;
    try {
      bytes = mapper.writeValueAsBytes(body);
    } catch (Exception e) {
      bytes = new byte[0];
    }
    headers.set(HeaderNames.CONTENT_TYPE, Http.PROBLEM_JSON);
    return TransportResponse.builder()
        .status(status)
        .headers(headers)
        .keepAlive(false)
        .entity(bytes)
        .build();
  }

  private static boolean parsed(TransportRequest request) {
    String method = request.method();
    return method != null && method.matches("[A-Z]{1,20}") && !request.path().isEmpty();
  }

  private static boolean causedByBadInput(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (c instanceof IllegalArgumentException) {
        return true;
      }
    }
    return false;
  }

  private static String rootMessage(Throwable t) {
    Throwable c = t;
    while (c.getCause() != null) {
      c = c.getCause();
    }
    return String.valueOf(c.getMessage());
  }

  /** Keeps a client's own bytes out of long details (a 100 KB URL is not echoed back). */
  private static String clip(String message) {
    return message.length() <= 200 ? message : message.substring(0, 200) + "...";
  }
}
