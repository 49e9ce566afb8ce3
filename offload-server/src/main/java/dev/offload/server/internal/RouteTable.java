package dev.offload.server.internal;

import io.helidon.http.Method;
import io.helidon.webserver.http.Handler;
import io.helidon.webserver.http.HttpRouting;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * Registers routes and remembers them, so the OpenAPI document can be checked against exactly what
 * the server serves (a test compares both ways).
 */
public final class RouteTable {
  private final HttpRouting.Builder routing;
  private final UnaryOperator<Handler> wrapper;
  private final List<String> routes = new ArrayList<>();

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
    return this;
  }

  /** Every route as {@code "METHOD /path/{param}"}, in registration order. */
  public List<String> routes() {
    return List.copyOf(routes);
  }
}
