package dev.offload.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.offload.Job;
import dev.offload.JobEvent;
import dev.offload.Offload;
import dev.offload.ShuttingDownException;
import dev.offload.client.JobJson;
import dev.offload.server.internal.AccessGuard;
import dev.offload.server.internal.ApiRoutes;
import dev.offload.server.internal.ClientConnections;
import dev.offload.server.internal.DocsRoutes;
import dev.offload.server.internal.Errors;
import dev.offload.server.internal.EventHub;
import dev.offload.server.internal.EventRoutes;
import dev.offload.server.internal.Http;
import dev.offload.server.internal.ProblemDirectHandler;
import dev.offload.server.internal.Requests;
import dev.offload.server.internal.RouteTable;
import dev.offload.server.internal.ServerState;
import dev.offload.server.internal.Sessions;
import io.helidon.common.configurable.Resource;
import io.helidon.common.pki.Keys;
import io.helidon.common.pki.PemKeys;
import io.helidon.http.DirectHandler;
import io.helidon.http.HeaderNames;
import io.helidon.http.HttpException;
import io.helidon.http.Status;
import io.helidon.webserver.ServerConnectionException;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.http.DirectHandlers;
import io.helidon.webserver.http.Handler;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.Set;
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
  private final Sessions sessions = new Sessions(InstantSource.system());
  private final AccessGuard guard;
  private final boolean tls;
  private final String bindHost;
  private volatile boolean stopped;

  private OffloadServer(Builder b) {
    this.offload = b.offload;
    this.hub = new EventHub(offload);
    this.guard = new AccessGuard(b.tokens, sessions, b.metricsOpen, b.host);
    this.tls = b.tlsCert != null;
    this.bindHost = b.host;
    Requests requests = new Requests(mapper, b.maxBodyBytes);
    Context context = new Context();
    List<String> table = new ArrayList<>();
    DirectHandler direct = new ProblemDirectHandler(mapper);
    DirectHandlers.Builder directHandlers = DirectHandlers.builder();
    for (DirectHandler.EventType type : DirectHandler.EventType.values()) {
      directHandlers.addHandler(type, direct);
    }
    io.helidon.webserver.WebServerConfig.Builder server =
        WebServer.builder()
            .host(b.host)
            .port(b.port)
            .shutdownHook(false)
            .shutdownGracePeriod(Duration.ofSeconds(2))
            .directHandlers(directHandlers.build());
    if (tls) {
      server.tls(t -> t.privateKey(pem(b.tlsKey, true)).privateKeyCertChain(pem(b.tlsCert, false)));
    }
    this.webServer =
        server
            .routing(routing -> {
              routing.addFilter((chain, req, res) -> {
                AccessGuard.Granted granted;
                try {
                  granted = guard.check(req);
                } catch (ProblemException e) {
                  if (e.problem().type() == ProblemType.UNAUTHORIZED) {
                    res.header(HeaderNames.WWW_AUTHENTICATE, "Bearer realm=\"offload\"");
                  }
                  context.sendProblem(res, e);
                  return;
                }
                req.context().register(granted);
                chain.proceed();
              });
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

  /**
   * The base URL a client on this machine uses, e.g. {@code http://127.0.0.1:8080} ({@code https}
   * with TLS; a wildcard bind address becomes {@code 127.0.0.1}).
   */
  public String url() {
    return scheme() + "://" + hostForUrl() + ":" + port();
  }

  /**
   * The address actually bound, e.g. {@code http://0.0.0.0:8080} for all addresses; what a banner
   * should print.
   */
  public String boundAddress() {
    String h =
        bindHost.contains(":") && !bindHost.startsWith("[") ? "[" + bindHost + "]" : bindHost;
    return scheme() + "://" + h + ":" + port();
  }

  /** Whether API tokens are required. */
  public boolean tokensRequired() {
    return guard.tokensRequired();
  }

  private String scheme() {
    return tls ? "https" : "http";
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

  private static Keys pem(Path file, boolean key) {
    Resource resource = Resource.create(file);
    PemKeys pem =
        key
            ? PemKeys.builder().key(resource).build()
            : PemKeys.builder().certChain(resource).build();
    return Keys.builder().pem(pem).build();
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
              : Errors.toProblem(t, offload::isReady);
      try {
        Http.sendProblem(response, problem, null, mapper);
      } catch (RuntimeException e) {
        LOG.debug("could not send problem {} (client gone?)", problem.type().slug(), e);
      }
    }

    private Problem httpProblem(HttpException http) {
      int code = http.status().code();
      ProblemType type =
          switch (code) {
            case 413 -> ProblemType.BODY_TOO_LARGE;
            case 404 -> ProblemType.NOT_FOUND;
            case 414 -> ProblemType.URI_TOO_LONG;
            case 415 -> ProblemType.UNSUPPORTED_MEDIA_TYPE;
            default -> code < 500 ? ProblemType.BAD_REQUEST : ProblemType.INTERNAL_ERROR;
          };
      if (code >= 500) {
        LOG.error("unexpected HTTP error while answering a request", http);
        return Problem.of(type, "the server could not answer this request; see server log");
      }
      return Problem.of(type, http.getMessage());
    }

    @Override
    public AutoCloseable subscribe(Consumer<JobEvent> listener) {
      return hub.subscribe(listener);
    }

    @Override
    public Set<Scope> scopes(ServerRequest request) {
      return request
          .context()
          .get(AccessGuard.Granted.class)
          .map(AccessGuard.Granted::scopes)
          .orElse(Set.of());
    }

    @Override
    public boolean tokensRequired() {
      return guard.tokensRequired();
    }

    @Override
    public Optional<SignIn> signIn(String token) {
      if (!guard.tokensRequired()) {
        return Optional.empty();
      }
      return guard
          .tokens()
          .check(token)
          .map(scopes -> {
            Sessions.Session s = sessions.create(scopes);
            return new SignIn(s.id(), s.csrf(), s.scopes(), Sessions.COOKIE, Sessions.TTL, tls);
          });
    }

    @Override
    public Optional<String> csrfToken(ServerRequest request) {
      return request
          .context()
          .get(AccessGuard.Granted.class)
          .map(AccessGuard.Granted::session)
          .map(Sessions.Session::csrf);
    }

    @Override
    public void signOut(ServerRequest request) {
      request.headers().cookies().first(Sessions.COOKIE).asOptional().ifPresent(sessions::remove);
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
    private ApiTokens tokens;
    private boolean metricsOpen;
    private boolean insecure;
    private Path tlsCert;
    private Path tlsKey;

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

    /**
     * The API tokens to require (default: none, which is safe only on a loopback address; see
     * {@link #insecure}). {@code /health/*} stays open.
     */
    public Builder tokens(ApiTokens apiTokens) {
      this.tokens = Objects.requireNonNull(apiTokens, "tokens");
      return this;
    }

    /** Whether {@code /metrics} is served without a token (default: it needs {@code read}). */
    public Builder metricsOpen(boolean open) {
      this.metricsOpen = open;
      return this;
    }

    /**
     * Allows binding a non-loopback address without {@link #tokens} (default: {@link #build()}
     * refuses, since anyone who reaches the port could run and cancel jobs).
     */
    public Builder insecure(boolean allow) {
      this.insecure = allow;
      return this;
    }

    /** Serves HTTPS with a PEM certificate (chain) and its PEM private key. */
    public Builder tls(Path certificatePem, Path privateKeyPem) {
      this.tlsCert = Objects.requireNonNull(certificatePem, "tls certificate");
      this.tlsKey = Objects.requireNonNull(privateKeyPem, "tls key");
      for (Path p : List.of(certificatePem, privateKeyPem)) {
        if (!Files.isReadable(p)) {
          throw new IllegalArgumentException("TLS file " + p + " is not readable");
        }
      }
      return this;
    }

    /**
     * @throws IllegalStateException when a non-loopback {@link #host} has neither {@link #tokens}
     *     nor {@link #insecure}
     */
    public OffloadServer build() {
      if (tokens == null && !insecure && !AccessGuard.isLoopback(host)) {
        throw new IllegalStateException(
            "refusing to serve "
                + host
                + " without API tokens: anyone who reaches it could run, cancel and delete jobs;"
                + " give tokens (--tokens FILE) or accept the risk (--insecure)");
      }
      return new OffloadServer(this);
    }
  }
}
