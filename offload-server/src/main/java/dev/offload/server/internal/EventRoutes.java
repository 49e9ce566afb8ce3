package dev.offload.server.internal;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.offload.Job;
import dev.offload.JobEvent;
import dev.offload.JobId;
import dev.offload.Offload;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.ServerConnectionException;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * {@code GET /events}: server-sent events of job changes, {@code data:} lines holding one JSON
 * object each. {@code ?job=ID} follows one job: its current state first, and the stream ends after
 * its terminal state. {@code ?task=} and {@code ?queue=} filter. A comment line every few seconds
 * keeps proxies from timing the stream out and finds clients that left.
 */
public final class EventRoutes {
  private static final int STREAM_CAPACITY = 10_000;

  private final Offload offload;
  private final ObjectMapper mapper;
  private final EventHub hub;
  private final Duration keepAlive;
  private final ClientConnections connections;

  public EventRoutes(
      Offload offload,
      ObjectMapper mapper,
      EventHub hub,
      Duration keepAlive,
      ClientConnections connections) {
    this.offload = offload;
    this.connections = connections;
    this.mapper = mapper;
    this.hub = hub;
    this.keepAlive = keepAlive;
  }

  public void register(RouteTable routes) {
    routes.get("/events", this::events);
  }

  private void events(ServerRequest req, ServerResponse res) throws Exception {
    String jobText = Requests.query(req, "job");
    JobId only = jobText == null || jobText.isBlank() ? null : parseJob(jobText);
    String task = Requests.query(req, "task");
    String queue = Requests.query(req, "queue");
    // Subscribe before reading the job's state so no change falls between the two.
    try (EventHub.Stream stream = hub.openStream(STREAM_CAPACITY);
        ClientConnections.Watch client = connections.watch(req)) {
      Job current = only == null ? null : offload.job(only);
      res.status(200);
      res.header(HeaderNames.CONTENT_TYPE, "text/event-stream");
      res.header(HeaderNames.CACHE_CONTROL, "no-cache");
      res.header("X-Accel-Buffering", "no");
      try (OutputStream out = res.outputStream()) {
        write(out, ": offload events\n\n");
        if (current != null) {
          send(
              out,
              JobEvent.of(
                  current,
                  current.finishedAt() != null ? current.finishedAt() : current.createdAt()));
          if (current.state().isTerminal()) {
            return;
          }
        }
        long lastWrite = System.nanoTime();
        while (!client.clientGone()) {
          JobEvent e;
          try {
            e = stream.next(Math.min(keepAlive.toMillis(), 1_000));
          } catch (EventHub.EndOfStream end) {
            write(out, ": " + end.getMessage() + "\n\n");
            return;
          }
          if (e == null) {
            if (System.nanoTime() - lastWrite >= keepAlive.toNanos()) {
              write(out, ": keep-alive\n\n");
              lastWrite = System.nanoTime();
            }
            continue;
          }
          if ((only != null && !only.equals(e.id()))
              || (task != null && !task.equals(e.task()))
              || (queue != null && !queue.equals(e.queue()))) {
            continue;
          }
          send(out, e);
          lastWrite = System.nanoTime();
          if (only != null && e.state().isTerminal()) {
            return;
          }
        }
      } catch (UncheckedIOException | IOException | ServerConnectionException gone) {
        // The client went away mid-stream: nothing to answer.
      }
    }
  }

  private static JobId parseJob(String text) {
    try {
      return JobId.parse(text);
    } catch (dev.offload.InvalidInputException e) {
      throw new dev.offload.server.ProblemException(
          dev.offload.server.Problem.of(
                  dev.offload.server.ProblemType.JOB_NOT_FOUND,
                  "no job " + text + " (not a job id)")
              .with("id", text));
    }
  }

  private void send(OutputStream out, JobEvent e) throws IOException {
    write(out, "data: " + mapper.writeValueAsString(EventHub.toJson(e)) + "\n\n");
  }

  private static void write(OutputStream out, String text) throws IOException {
    out.write(text.getBytes(StandardCharsets.UTF_8));
    out.flush();
  }
}
