package dev.offload.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.offload.Job;
import dev.offload.JobEvent;
import dev.offload.Offload;
import dev.offload.ShuttingDownException;
import dev.offload.client.JobJson;
import dev.offload.server.internal.ApiRoutes;
import dev.offload.server.internal.ClientConnections;
import dev.offload.server.internal.DocsRoutes;
import dev.offload.server.internal.Errors;
import dev.offload.server.internal.EventHub;
import dev.offload.server.internal.EventRoutes;
import dev.offload.server.internal.Http;
import dev.offload.server.internal.Requests;
import dev.offload.server.internal.RouteTable;
import dev.offload.server.internal.ServerState;
import io.helidon.http.HeaderNames;
import io.helidon.http.HttpException;
import io.helidon.http.Status;
import io.helidon.webserver.ServerConnectionException;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.http.Handler;
import io.helidon.webserver.http.ServerResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.ServiceLoader;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP API in front of an {@link Offload}: run tasks and wait, background jobs, events, stats,
 * health, the OpenAPI document and Swagger UI. Helidon SE underneath, one virtual thread per
 * request; CPU work never runs on a request thread.
 *
 * <pre>{@code
 * try (Offload offload = Offload.builder().tasks(DemoTasks.registry()).build()) {
 *   OffloadServer server = OffloadServer.builder(offload).port(8080).build().start();
 *   ...
 *   server.shutdownGracefully();   // or server.stop() and close the Offload yourself
 * }
 * }</pre>
 */
public final class OffloadServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(OffloadServer.class);

  private final Offload offload;
  private final ObjectMapper mapper = JobJson.mapper();
  private final ServerState state = new ServerState();
  private final EventHub hub;
  private final ClientConnections connections = new ClientConnections(Duration.ofMillis(500));
  private final WebServer webServer;
  private final List<String> routes;
  private final Thread shutdownHook;
  private volatile boolean stopped;

  private OffloadServer(Builder b) {
    this.offload = b.offload;
    this.hub = new EventHub(offload);
    Requests requests = new Requests(mapper, b.maxBodyBytes);
    Context context = new Context();
    List<String> table = new ArrayList<>();
    this.webServer =
        WebServer.builder()
            .host(b.host)
            .port(b.port)
            .shutdownHook(false)
            .shutdownGracePeriod(Duration.ofSeconds(2))
            .routing(routing -> {
              routing.addFilter((chain, req, res) -> {
                String path = req.path().path();
                if (state.isShuttingDown() && !path.startsWith("/health")) {
                  context.sendProblem(res, new ShuttingDownException("server is shutting down"));
                } else {
                  chain.proceed();
                }
              });
              RouteTable api = new RouteTable(routing, context::wrap);
              new ApiRoutes(offload, mapper, requests, state, connections).register(api);
              new EventRoutes(offload, mapper, hub, b.keepAlive, connections).register(api);
              new DocsRoutes().register(api, routing);
              table.addAll(api.routes());
              for (ServerExtension ext : b.extensions()) {
                LOG.debug("registering server extension {}", ext.name());
                ext.register(routing, context);
              }
              routing.get(
                  "/",
                  (req, res) -> {
                    res.status(302);
                    res.header(HeaderNames.LOCATION, "/docs");
                    res.send();
                  });
              routing.any((req, res) -> {
                String path = req.path().path();
                String method = req.prologue().method().text();
                java.util.Set<String> allowed = api.methodsFor(path);
                if (!allowed.isEmpty()) {
                  res.header(HeaderNames.ALLOW, String.join(", ", allowed));
                  context.sendProblem(
                      res,
                      new ProblemException(
                          ProblemType.METHOD_NOT_ALLOWED,
                          method + " " + path + " is not served; use " + allowed));
                } else {
                  context.sendProblem(
                      res,
                      new ProblemException(
                          ProblemType.NOT_FOUND,
                          "no route " + method + " " + path + "; see /openapi.json"));
                }
              });
              routing.error(Throwable.class, (req, res, t) -> context.sendProblem(res, t));
            })
            .build();
    this.routes = List.copyOf(table);
    this.shutdownHook =
        b.shutdownHook
            ? Thread.ofPlatform().name("offload-shutdown").unstarted(this::shutdownGracefully)
            : null;
  }

  /** A builder for a server in front of {@code offload}. */
  public static Builder builder(Offload offload) {
    return new Builder(offload);
  }

  /** Binds and starts serving; returns this. */
  public OffloadServer start() {
    webServer.start();
    if (shutdownHook != null) {
      Runtime.getRuntime().addShutdownHook(shutdownHook);
    }
    return this;
  }

  /** The bound port (useful with port 0). */
  public int port() {
    return webServer.port();
  }

  /** The base URL, e.g. {@code http://127.0.0.1:8080}. */
  public String url() {
    return "http://" + hostForUrl() + ":" + port();
  }

  private String hostForUrl() {
    String h = webServer.prototype().host();
    if (h == null || h.equals("0.0.0.0") || h.equals("::")) {
      return "127.0.0.1";
    }
    return h.contains(":") ? "[" + h + "]" : h;
  }

  /**
   * The API routes served, as {@code "METHOD /path/{param}"}; the OpenAPI document lists the same.
   */
  public List<String> routes() {
    return routes;
  }

  /** Whether the server is draining or stopped. */
  public boolean isShuttingDown() {
    return state.isShuttingDown();
  }

  /**
   * Stops serving HTTP at once; the Offload stays open for its owner to close. Open event streams
   * end.
   */
  public void stop() {
    if (stopped) {
      return;
    }
    stopped = true;
    state.beginShutdown();
    hub.close();
    connections.close();
    webServer.stop();
  }

  /**
   * Shuts down without losing work (what SIGTERM does when {@link Builder#shutdownHook} is on):
   * refuses new requests with 503, ends event streams, closes the Offload — running attempts finish
   * within its grace period, the rest go back to the store — so waiting requests still get their
   * answers, then stops HTTP.
   */
  public void shutdownGracefully() {
    if (stopped) {
      return;
    }
    LOG.info("shutting down: refusing new requests, letting running work finish");
    state.beginShutdown();
    hub.close();
    try {
      offload.close();
    } finally {
      stop();
      LOG.info("stopped");
    }
  }

  /** {@link #stop()}. */
  @Override
  public void close() {
    stop();
  }

  /** What extensions see; also the error mapping of every API handler. */
  private final class Context implements ServerContext {
    @Override
    public Offload offload() {
      return offload;
    }

    @Override
    public ObjectMapper objectMapper() {
      return mapper;
    }

    @Override
    public ObjectNode jobJson(Job job) {
      return JobJson.write(job);
    }

    @Override
    public void sendJson(ServerResponse response, int status, JsonNode body) {
      Http.sendJson(response, status, body, mapper);
    }

    @Override
    public void sendProblem(ServerResponse response, Throwable error) {
      Throwable t = Errors.unwrap(error);
      if (t instanceof ServerConnectionException) {
        LOG.debug("connection lost while answering", t);
        return;
      }
      if (t instanceof ApiRoutes.ClientGoneException) {
        // Nobody reads this; answering keeps Helidon from reporting a handler that sent nothing.
        try {
          response.status(Status.create(499, "Client Closed Request")).send();
        } catch (RuntimeException e) {
          LOG.trace("client gone", e);
        }
        return;
      }
      Problem problem =
          t instanceof HttpException http && !(t instanceof ProblemException)
              ? httpProblem(http)
              : Errors.toProblem(t);
      try {
        Http.sendProblem(response, problem, null, mapper);
      } catch (RuntimeException e) {
        LOG.debug("could not send problem {} (client gone?)", problem.type().slug(), e);
      }
    }

    private Problem httpProblem(HttpException http) {
      int code = http.status().code();
      ProblemType type =
          code == 413
              ? ProblemType.BODY_TOO_LARGE
              : code == 404
                  ? ProblemType.NOT_FOUND
                  : code < 500 ? ProblemType.INVALID_PARAMETER : ProblemType.INTERNAL_ERROR;
      return Problem.of(type, http.getMessage());
    }

    @Override
    public AutoCloseable subscribe(Consumer<JobEvent> listener) {
      return hub.subscribe(listener);
    }

    @Override
    public boolean isShuttingDown() {
      return state.isShuttingDown();
    }

    Handler wrap(Handler handler) {
      return (req, res) -> {
        try {
          handler.handle(req, res);
        } catch (Exception | Error e) {
          if (e instanceof VirtualMachineError vme) {
            throw vme;
          }
          sendProblem(res, e);
        }
      };
    }
  }

  /** Configures an {@link OffloadServer}; bad values fail at once, naming the setting. */
  public static final class Builder {
    private final Offload offload;
    private String host = "127.0.0.1";
    private int port = 8080;
    private long maxBodyBytes = 1024 * 1024;
    private Duration keepAlive = Duration.ofSeconds(15);
    private boolean shutdownHook;
    private boolean discoverExtensions = true;
    private final List<ServerExtension> extensions = new ArrayList<>();

    private Builder(Offload offload) {
      this.offload = Objects.requireNonNull(offload, "offload");
    }

    /** The address to bind (default {@code 127.0.0.1}: not reachable from other machines). */
    public Builder host(String bindHost) {
      this.host = Objects.requireNonNull(bindHost, "host");
      return this;
    }

    /** The port (default 8080; 0 picks a free one, see {@link OffloadServer#port()}). */
    public Builder port(int bindPort) {
      if (bindPort < 0 || bindPort > 65535) {
        throw new IllegalArgumentException("port must be 0-65535, was " + bindPort);
      }
      this.port = bindPort;
      return this;
    }

    /** The largest request body accepted; larger ones get 413 (default 1 MiB). */
    public Builder maxBodySize(long bytes) {
      if (bytes < 1) {
        throw new IllegalArgumentException("maxBodySize must be >= 1, was " + bytes);
      }
      this.maxBodyBytes = bytes;
      return this;
    }

    /** How often an idle event stream gets a keep-alive comment (default 15 s). */
    public Builder eventKeepAlive(Duration interval) {
      Objects.requireNonNull(interval, "eventKeepAlive");
      if (interval.isNegative() || interval.isZero()) {
        throw new IllegalArgumentException("eventKeepAlive must be positive, was " + interval);
      }
      this.keepAlive = interval;
      return this;
    }

    /**
     * Whether SIGTERM / Ctrl-C runs {@link OffloadServer#shutdownGracefully()} (default: no; the
     * embedding application decides).
     */
    public Builder shutdownHook(boolean enabled) {
      this.shutdownHook = enabled;
      return this;
    }

    /** Adds an extension (besides those found by ServiceLoader). */
    public Builder addExtension(ServerExtension extension) {
      extensions.add(Objects.requireNonNull(extension, "extension"));
      return this;
    }

    /** Whether to load {@link ServerExtension}s with ServiceLoader (default: yes). */
    public Builder discoverExtensions(boolean enabled) {
      this.discoverExtensions = enabled;
      return this;
    }

    List<ServerExtension> extensions() {
      List<ServerExtension> all = new ArrayList<>(extensions);
      if (discoverExtensions) {
        ServiceLoader.load(ServerExtension.class).forEach(all::add);
      }
      return all;
    }

    public OffloadServer build() {
      return new OffloadServer(this);
    }
  }
}
