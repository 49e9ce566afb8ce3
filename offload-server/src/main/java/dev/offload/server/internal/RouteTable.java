package dev.offload.server.internal;

import io.helidon.http.Method;
import io.helidon.webserver.http.Handler;
import io.helidon.webserver.http.HttpRouting;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;

/**
 * Registers routes and remembers them, so the OpenAPI document can be checked against exactly what
 * the server serves (a test compares both ways).
 */
public final class RouteTable {
  private final HttpRouting.Builder routing;
  private final UnaryOperator<Handler> wrapper;
  private final List<String> routes = new ArrayList<>();
  private final Map<Pattern, Set<String>> methodsByPath = new LinkedHashMap<>();

  /** {@code wrapper} wraps every handler (error mapping). */
  public RouteTable(HttpRouting.Builder routing, UnaryOperator<Handler> wrapper) {
    this.routing = routing;
    this.wrapper = wrapper;
  }

  public RouteTable get(String path, Handler handler) {
    return add(Method.GET, path, handler);
  }

  public RouteTable post(String path, Handler handler) {
    return add(Method.POST, path, handler);
  }

  public RouteTable delete(String path, Handler handler) {
    return add(Method.DELETE, path, handler);
  }

  private RouteTable add(Method method, String path, Handler handler) {
    routing.route(method, path, wrapper.apply(handler));
    routes.add(method.text() + " " + path);
    Pattern p = Pattern.compile(path.replaceAll("\\{[^/}]+}", "[^/]+"));
    methodsByPath.computeIfAbsent(p, k -> new TreeSet<>()).add(method.text());
    return this;
  }

  /** The methods some route serves {@code path} with (for 405 and {@code Allow}); may be empty. */
  public Set<String> methodsFor(String path) {
    Set<String> out = new TreeSet<>();
    methodsByPath.forEach((p, methods) -> {
      if (p.matcher(path).matches()) {
        out.addAll(methods);
      }
    });
    return out;
  }

  /** Every route as {@code "METHOD /path/{param}"}, in registration order. */
  public List<String> routes() {
    return List.copyOf(routes);
  }
}
