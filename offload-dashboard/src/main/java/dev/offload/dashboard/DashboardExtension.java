package dev.offload.dashboard;

import dev.offload.dashboard.internal.DashboardApi;
import dev.offload.dashboard.internal.DashboardEvents;
import dev.offload.dashboard.internal.JobHistory;
import dev.offload.dashboard.internal.SeriesBuffer;
import dev.offload.dashboard.internal.SessionApi;
import dev.offload.dashboard.internal.StaticAssets;
import dev.offload.server.ProblemException;
import dev.offload.server.ProblemType;
import dev.offload.server.ServerContext;
import dev.offload.server.ServerExtension;
import io.helidon.webserver.http.Handler;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import java.time.InstantSource;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The web dashboard at {@code /}: queues, workers, jobs and the last hour's throughput and latency,
 * updated live from {@code GET /events}. Its files ship in this jar (plain HTML, CSS and JavaScript
 * modules under {@code /dashboard/}: no CDN, works offline). Found by {@link
 * java.util.ServiceLoader}, so having {@code offload-dashboard} on the class path is enough.
 *
 * <p>Besides the files it serves {@code GET /dashboard/api/series} (per-minute counts and latencies
 * of the last hour, kept in memory from job events) and {@code GET /dashboard/api/jobs/{id}} (the
 * job as the API shows it plus the error's stack trace, for tokens with the {@code admin} scope,
 * and the state changes this server saw). With API tokens the page signs in at {@code
 * /dashboard/api/session}: an HttpOnly, {@code SameSite=Strict} cookie and a CSRF token on actions.
 *
 * <pre>{@code
 * OffloadServer.builder(offload).addExtension(new DashboardExtension()).build().start();
 * // open http://127.0.0.1:8080/
 * }</pre>
 */
public final class DashboardExtension implements ServerExtension {
  /** Minutes of history the chart shows. */
  public static final int SERIES_MINUTES = 60;

  /** Jobs whose state changes are remembered for the job page's timeline. */
  public static final int HISTORY_JOBS = 10_000;

  private static final String ASSETS_PREFIX = "/dashboard/";

  private static final Logger LOG = LoggerFactory.getLogger(DashboardExtension.class);

  private final InstantSource clock;

  /** A dashboard on the system clock (what ServiceLoader uses). */
  public DashboardExtension() {
    this(InstantSource.system());
  }

  /** A dashboard whose per-minute buckets follow {@code clock}. */
  public DashboardExtension(InstantSource clock) {
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  @Override
  public void register(HttpRouting.Builder routing, ServerContext context) {
    SeriesBuffer series = new SeriesBuffer(clock, SERIES_MINUTES);
    JobHistory history = new JobHistory(HISTORY_JOBS);
    AutoCloseable subscription = context.subscribe(new DashboardEvents(history, series));
    DashboardApi api = new DashboardApi(context, series, history, clock);
    StaticAssets assets = new StaticAssets("/dashboard/");
    SessionApi session = new SessionApi(context);

    routing.get("/", guarded(context, (req, res) -> assets.send("index.html", req, res)));
    routing.register(
        "/dashboard",
        new HttpService() {
          @Override
          public void routing(HttpRules rules) {
            rules
                .get("/api/session", guarded(context, session::get))
                .post("/api/session", guarded(context, session::signIn))
                .delete("/api/session", guarded(context, session::signOut))
                .get("/api/series", guarded(context, api::series))
                .get("/api/jobs/{id}", guarded(context, api::job))
                .get(
                    "/*",
                    guarded(
                        context,
                        (req, res) -> {
                          String path = req.path().absolute().path();
                          String name =
                              path.startsWith(ASSETS_PREFIX)
                                  ? path.substring(ASSETS_PREFIX.length())
                                  : "";
                          if (!assets.send(name, req, res)) {
                            throw new ProblemException(
                                ProblemType.NOT_FOUND, "no dashboard file /dashboard/" + name);
                          }
                        }));
          }

          @Override
          public void afterStop() {
            try {
              subscription.close();
            } catch (Exception e) {
              LOG.debug("closing the dashboard's event subscription failed", e);
            }
          }
        });
  }

  /** Answers errors the way the API does (problem+json), never with a stack trace. */
  private static Handler guarded(ServerContext context, Handler handler) {
    return (req, res) -> {
      try {
        handler.handle(req, res);
      } catch (Exception e) {
        context.sendProblem(res, e);
      }
    };
  }

  @Override
  public String name() {
    return "dashboard";
  }
}
