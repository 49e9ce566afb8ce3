package dev.offload.dashboard.internal;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.offload.InvalidInputException;
import dev.offload.Job;
import dev.offload.JobId;
import dev.offload.server.Problem;
import dev.offload.server.ProblemException;
import dev.offload.server.ProblemType;
import dev.offload.server.ServerContext;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.time.InstantSource;
import java.util.Map;

/**
 * The dashboard's own JSON, beside the public API: the per-minute series, and a job with what the
 * public API leaves out for operators (the error's stack trace, the attempts this server saw).
 */
public final class DashboardApi {
  private final ServerContext ctx;
  private final SeriesBuffer series;
  private final JobHistory history;
  private final InstantSource clock;

  public DashboardApi(
      ServerContext ctx, SeriesBuffer series, JobHistory history, InstantSource clock) {
    this.ctx = ctx;
    this.series = series;
    this.history = history;
    this.clock = clock;
  }

  public void series(ServerRequest req, ServerResponse res) {
    ObjectNode body = ctx.objectMapper().createObjectNode();
    body.put("now", clock.instant().toString());
    ArrayNode minutes = body.putArray("minutes");
    for (SeriesBuffer.Minute m : series.minutes()) {
      ObjectNode n = minutes.addObject();
      n.put("start", m.start().toString());
      n.put("submitted", m.submitted());
      n.put("started", m.started());
      n.put("succeeded", m.succeeded());
      n.put("failed", m.failed());
      n.put("cancelled", m.cancelled());
      n.put("retried", m.retried());
      latency(n.putObject("run"), m.run());
      latency(n.putObject("wait"), m.queueWait());
      ObjectNode queues = n.putObject("queues");
      for (Map.Entry<String, SeriesBuffer.QueueCounts> q : m.queues().entrySet()) {
        queues
            .putObject(q.getKey())
            .put("succeeded", q.getValue().succeeded())
            .put("failed", q.getValue().failed())
            .put("cancelled", q.getValue().cancelled());
      }
    }
    ctx.sendJson(res, 200, body);
  }

  private static void latency(ObjectNode n, SeriesBuffer.Latency l) {
    n.put("count", l.count());
    n.put("meanMs", round(l.meanMs()));
    n.put("p50Ms", round(l.p50Ms()));
    n.put("p95Ms", round(l.p95Ms()));
    n.put("maxMs", round(l.maxMs()));
  }

  private static double round(double ms) {
    return Math.round(ms * 1000) / 1000.0;
  }

  public void job(ServerRequest req, ServerResponse res) {
    JobId id = jobId(req.path().pathParameters().get("id"));
    Job job = ctx.offload().job(id);
    ObjectNode body = ctx.jobJson(job);
    if (job.error() != null && body.path("error").isObject()) {
      ((ObjectNode) body.get("error")).put("detail", job.error().detail());
    }
    ArrayNode transitions = body.putArray("timeline");
    for (JobHistory.Transition t : history.of(id)) {
      transitions
          .addObject()
          .put("state", t.state().wireName())
          .put("attempt", t.attempt())
          .put("at", t.at() == null ? null : t.at().toString());
    }
    body.put("serverTime", clock.instant().toString());
    ctx.sendJson(res, 200, body);
  }

  private static JobId jobId(String text) {
    try {
      return JobId.parse(text);
    } catch (InvalidInputException e) {
      throw new ProblemException(
          Problem.of(ProblemType.JOB_NOT_FOUND, "no job " + text + " (not a job id)")
              .with("id", text));
    }
  }
}
