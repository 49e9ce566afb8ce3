package dev.offload.server.internal;

import dev.offload.server.ProblemException;
import dev.offload.server.ProblemType;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * {@code GET /openapi.json} (the hand-kept OpenAPI 3.1 document, checked against the routes by a
 * test) and Swagger UI at {@code /docs}, served from the swagger-ui webjar inside the jar: no CDN,
 * works offline.
 */
public final class DocsRoutes {
  private static final String OPENAPI = "/dev/offload/server/openapi.json";
  private static final String WEBJAR_POM = "/META-INF/maven/org.webjars/swagger-ui/pom.properties";
  private static final Pattern ASSET = Pattern.compile("[A-Za-z0-9._-]+");
  private static final Map<String, String> TYPES =
      Map.of(
          "js", "text/javascript; charset=utf-8",
          "css", "text/css; charset=utf-8",
          "png", "image/png",
          "html", "text/html; charset=utf-8",
          "map", "application/json");

  private final byte[] openapi = resource(OPENAPI);
  private final String assets = assetRoot();
  private final Map<String, byte[]> cache = new ConcurrentHashMap<>();

  public void register(RouteTable routes, HttpRouting.Builder routing) {
    routes.get("/openapi.json", this::openapi).get("/docs", this::index);
    routing.get("/docs/", this::index).get("/docs/{file}", this::asset);
  }

  private void openapi(ServerRequest req, ServerResponse res) {
    res.header(HeaderNames.CONTENT_TYPE, Http.JSON);
    res.send(openapi);
  }

  private void index(ServerRequest req, ServerResponse res) {
    res.header(HeaderNames.CONTENT_TYPE, "text/html; charset=utf-8");
    res.send(
        """
        <!doctype html>
        <html lang="en">
        <head>
          <meta charset="utf-8">
          <title>Offload API</title>
          <link rel="stylesheet" href="/docs/swagger-ui.css">
        </head>
        <body>
          <div id="swagger-ui"></div>
          <script src="/docs/swagger-ui-bundle.js"></script>
          <script>
            window.ui = SwaggerUIBundle({url: "/openapi.json", dom_id: "#swagger-ui", deepLinking: true});
          </script>
        </body>
        </html>
        """
            .getBytes(StandardCharsets.UTF_8));
  }

  private void asset(ServerRequest req, ServerResponse res) {
    String file = Requests.pathParam(req, "file");
    if (assets == null || !ASSET.matcher(file).matches() || file.startsWith(".")) {
      throw new ProblemException(ProblemType.NOT_FOUND, "no document /docs/" + file);
    }
    byte[] content =
        cache.computeIfAbsent(
            file,
            f -> {
              try (InputStream in = DocsRoutes.class.getResourceAsStream(assets + f)) {
                return in == null ? new byte[0] : in.readAllBytes();
              } catch (IOException e) {
                throw new UncheckedIOException(e);
              }
            });
    if (content.length == 0) {
      throw new ProblemException(ProblemType.NOT_FOUND, "no document /docs/" + file);
    }
    String ext = file.substring(file.lastIndexOf('.') + 1);
    res.header(HeaderNames.CONTENT_TYPE, TYPES.getOrDefault(ext, "application/octet-stream"));
    res.header(HeaderNames.CACHE_CONTROL, "public, max-age=3600");
    res.send(content);
  }

  private static String assetRoot() {
    try (InputStream in = DocsRoutes.class.getResourceAsStream(WEBJAR_POM)) {
      if (in == null) {
        return null;
      }
      Properties p = new Properties();
      p.load(in);
      return "/META-INF/resources/webjars/swagger-ui/" + p.getProperty("version") + "/";
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static byte[] resource(String path) {
    try (InputStream in = DocsRoutes.class.getResourceAsStream(path)) {
      if (in == null) {
        throw new IllegalStateException("missing resource " + path);
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
