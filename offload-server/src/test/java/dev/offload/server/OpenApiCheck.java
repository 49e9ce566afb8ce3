package dev.offload.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Checks an answer against openapi.json: its status is documented for the operation, its
 * Content-Type is one the document lists, and a JSON body validates against the listed schema (JSON
 * Schema 2020-12, networknt json-schema-validator). {@link RawHttp} calls it on every answer, so
 * the document cannot drift from what the server sends.
 */
final class OpenApiCheck {
  private static final String DOC_IRI = "https://offload.dev/openapi.json";
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final JsonNode DOC;
  private static final SchemaRegistry REGISTRY;
  private static final Map<String, Schema> SCHEMAS = new ConcurrentHashMap<>();

  static {
    try (InputStream in =
        OffloadServer.class.getResourceAsStream("/dev/offload/server/openapi.json")) {
      byte[] bytes = in.readAllBytes();
      DOC = MAPPER.readTree(bytes);
      String text = new String(bytes, StandardCharsets.UTF_8);
      REGISTRY =
          SchemaRegistry.withDefaultDialect(
              SpecificationVersion.DRAFT_2020_12, b -> b.schemas(Map.of(DOC_IRI, text)));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private OpenApiCheck() {}

  /**
   * @throws AssertionError naming what does not match the document
   */
  static void check(String method, String path, HttpResponse<byte[]> response) {
    int status = response.statusCode();
    String type =
        response
            .headers()
            .firstValue("Content-Type")
            .map(t -> t.split(";")[0].strip().toLowerCase(Locale.ROOT))
            .orElse(null);
    String template = template(path);
    String where = method + " " + path + " -> " + status;
    if (template == null || !DOC.at(pointer("/paths", template)).has(lower(method))) {
      // Not an API route (404/405 fallbacks, the "/" redirect): only its problem is checked.
      if ("application/problem+json".equals(type)) {
        validate("/components/schemas/Problem", response.body(), where);
      }
      return;
    }
    JsonNode responses = DOC.at(pointer("/paths", template)).get(lower(method)).get("responses");
    String code = String.valueOf(status);
    JsonNode answer = responses.has(code) ? responses.get(code) : responses.get("default");
    if (answer == null) {
      throw new AssertionError(where + ": status not in openapi.json (" + names(responses) + ")");
    }
    String base = "/paths" + escape(template) + "/" + lower(method) + "/responses/" + code;
    if (answer.has("$ref")) {
      base = answer.get("$ref").asText().substring(1);
      answer = DOC.at(base);
    }
    JsonNode content = answer.get("content");
    if (content == null) {
      if (response.body().length > 0) {
        throw new AssertionError(where + ": openapi.json lists no body, got one");
      }
      return;
    }
    if (type == null || !content.has(type)) {
      throw new AssertionError(
          where + ": Content-Type " + type + " not in openapi.json (" + names(content) + ")");
    }
    if (type.endsWith("json") && content.get(type).has("schema")) {
      validate(base + "/content/" + escapeSegment(type) + "/schema", response.body(), where);
    }
  }

  private static void validate(String pointer, byte[] body, String where) {
    Schema schema =
        SCHEMAS.computeIfAbsent(
            pointer, p -> REGISTRY.getSchema(SchemaLocation.of(DOC_IRI + "#" + p)));
    JsonNode node;
    try {
      node = MAPPER.readTree(body);
    } catch (IOException e) {
      throw new AssertionError(where + ": body is not JSON", e);
    }
    List<Error> errors = schema.validate(node);
    if (!errors.isEmpty()) {
      throw new AssertionError(
          where + ": body does not match openapi.json " + pointer + ": " + errors + "\n" + node);
    }
  }

  /** The document's path template matching {@code path} (query stripped), or null. */
  static String template(String path) {
    String p = path.split("\\?", 2)[0];
    String[] segments = p.split("/", -1);
    for (Iterator<String> it = DOC.get("paths").fieldNames(); it.hasNext(); ) {
      String t = it.next();
      String[] ts = t.split("/", -1);
      if (ts.length != segments.length) {
        continue;
      }
      boolean match = true;
      for (int i = 0; i < ts.length && match; i++) {
        match = ts[i].startsWith("{") || ts[i].equals(segments[i]);
      }
      if (match) {
        return t;
      }
    }
    return null;
  }

  private static String pointer(String prefix, String template) {
    return prefix + escape(template);
  }

  private static String escape(String template) {
    return "/" + escapeSegment(template);
  }

  private static String escapeSegment(String s) {
    return s.replace("~", "~0").replace("/", "~1");
  }

  private static String lower(String method) {
    return method.toLowerCase(Locale.ROOT);
  }

  private static String names(JsonNode node) {
    StringBuilder b = new StringBuilder();
    node.fieldNames().forEachRemaining(n -> b.append(b.isEmpty() ? "" : ", ").append(n));
    return b.toString();
  }
}
