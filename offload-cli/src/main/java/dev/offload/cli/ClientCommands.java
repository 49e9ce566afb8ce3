package dev.offload.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.offload.Job;
import dev.offload.JobId;
import dev.offload.JobQuery;
import dev.offload.JobSpec;
import dev.offload.JobState;
import dev.offload.Page;
import dev.offload.cli.internal.Printer;
import dev.offload.client.JobJson;
import dev.offload.client.OffloadClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** The commands that talk to a running server over HTTP. */
final class ClientCommands {
  private static final ObjectMapper JSON = JobJson.mapper();

  private ClientCommands() {}

  static JobId jobId(String text) {
    return JobId.parse(text);
  }

  @Command(
      name = "submit",
      description = "Submit a background job; prints it (and waits for it with --wait).")
  static final class Submit implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin ClientOptions client;

    @Parameters(index = "0", paramLabel = "TASK", description = "The task name, e.g. spin.")
    String task;

    @Option(names = "--input", defaultValue = "{}", description = "The input as JSON (default {}).")
    String input;

    @Option(names = "--queue", description = "Queue name (default: default).")
    String queue;

    @Option(names = "--priority", description = "Higher runs first within a queue.")
    Integer priority;

    @Option(names = "--delay", description = "Start after this long (PT10S, 10s, 2m).")
    Duration delay;

    @Option(names = "--max-attempts", description = "Attempts before failing for good.")
    Integer maxAttempts;

    @Option(names = "--timeout", description = "Per-attempt time limit (PT30S, 30s).")
    Duration timeout;

    @Option(
        names = "--idempotency-key",
        description = "A second submit with this key returns the first job.")
    String idempotencyKey;

    @Option(names = "--wait", description = "Wait until the job ends; exit 1 if it failed.")
    boolean await;

    @Option(
        names = "--wait-timeout",
        defaultValue = "PT10M",
        description = "How long --wait waits (default ${DEFAULT-VALUE}); exit 7 past it.")
    Duration waitTimeout;

    @Override
    public Integer call() {
      JsonNode parsed;
      try {
        parsed = JSON.readTree(input);
      } catch (JsonProcessingException e) {
        throw new IllegalArgumentException("--input is not JSON: " + e.getOriginalMessage());
      }
      JobSpec js = JobSpec.of(task, parsed);
      if (queue != null) {
        js = js.queue(queue);
      }
      if (priority != null) {
        js = js.priority(priority);
      }
      if (delay != null) {
        js = js.delay(delay);
      }
      if (maxAttempts != null) {
        js = js.maxAttempts(maxAttempts);
      }
      if (timeout != null) {
        js = js.timeout(timeout);
      }
      if (idempotencyKey != null) {
        js = js.idempotencyKey(idempotencyKey);
      }
      Printer out = client.printer(spec.commandLine().getOut());
      try (OffloadClient c = client.client()) {
        Job job = c.submit(js);
        if (!await) {
          out.job(job);
          return ExitCodes.OK;
        }
        Job done = c.await(job.id(), waitTimeout);
        out.job(done);
        if (!done.state().isTerminal()) {
          spec.commandLine()
              .getErr()
              .println(
                  "offload: job "
                      + done.id()
                      + " still "
                      + done.state().wireName()
                      + " after "
                      + waitTimeout);
          return ExitCodes.TIMED_OUT;
        }
        return done.state() == JobState.SUCCEEDED ? ExitCodes.OK : ExitCodes.FAILED;
      }
    }
  }

  /** A command that does one thing to one job by id and prints the job as it is after. */
  abstract static class OneJobCommand implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin ClientOptions client;

    @Parameters(index = "0", paramLabel = "ID", description = "The job id.")
    String id;

    abstract Job apply(OffloadClient c, JobId jobId);

    @Override
    public Integer call() {
      try (OffloadClient c = client.client()) {
        client.printer(spec.commandLine().getOut()).job(apply(c, jobId(id)));
        return ExitCodes.OK;
      }
    }
  }

  @Command(name = "status", description = "Show one job.")
  static final class Status extends OneJobCommand {
    @Override
    Job apply(OffloadClient c, JobId jobId) {
      return c.job(jobId);
    }
  }

  @Command(name = "cancel", description = "Cancel a waiting or running job.")
  static final class Cancel extends OneJobCommand {
    @Override
    Job apply(OffloadClient c, JobId jobId) {
      return c.cancel(jobId);
    }
  }

  @Command(name = "retry", description = "Put a failed or cancelled job back in its queue.")
  static final class Retry extends OneJobCommand {
    @Override
    Job apply(OffloadClient c, JobId jobId) {
      return c.retry(jobId);
    }
  }

  @Command(name = "jobs", description = "List jobs, newest first.")
  static final class Jobs implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin ClientOptions client;

    @Option(names = "--state", split = ",", description = "Only these states (queued,running,...).")
    List<String> states = new ArrayList<>();

    @Option(names = "--task", description = "Only this task.")
    String task;

    @Option(names = "--queue", description = "Only this queue.")
    String queue;

    @Option(names = "--limit", defaultValue = "50", description = "At most this many (1-1000).")
    int limit;

    @Option(names = "--cursor", description = "The next cursor a previous listing printed.")
    String cursor;

    @Override
    public Integer call() {
      Set<JobState> wanted = EnumSet.noneOf(JobState.class);
      for (String s : states) {
        wanted.add(JobState.fromWireName(s.trim()));
      }
      JobQuery q =
          JobQuery.all().states(wanted).task(task).queue(queue).limit(limit).cursor(cursor);
      try (OffloadClient c = client.client()) {
        Page<Job> page = c.jobs(q);
        Printer out = client.printer(spec.commandLine().getOut());
        if (out.isJson()) {
          ObjectNode body = JSON.createObjectNode();
          ArrayNode items = body.putArray("items");
          page.items().forEach(j -> items.add(JobJson.write(j)));
          body.put("nextCursor", page.nextCursor());
          out.json(body);
          return ExitCodes.OK;
        }
        List<String[]> rows = new ArrayList<>();
        for (Job j : page.items()) {
          rows.add(
              new String[] {
                j.id().toString(),
                j.task(),
                j.queue(),
                j.state().wireName(),
                Integer.toString(j.attempts()),
                j.createdAt().toString(),
                j.finishedAt() == null ? "-" : j.finishedAt().toString()
              });
        }
        out.table(
            new String[] {"ID", "TASK", "QUEUE", "STATE", "ATTEMPTS", "CREATED", "FINISHED"}, rows);
        if (page.nextCursor() != null) {
          out.line("more: --cursor " + page.nextCursor());
        }
        return ExitCodes.OK;
      }
    }
  }

  @Command(name = "tasks", description = "List the server's tasks and their inputs.")
  static final class Tasks implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin ClientOptions client;

    @Override
    public Integer call() {
      try (OffloadClient c = client.client()) {
        List<OffloadClient.TaskInfo> tasks = c.tasks();
        Printer out = client.printer(spec.commandLine().getOut());
        if (out.isJson()) {
          ObjectNode body = JSON.createObjectNode();
          ArrayNode list = body.putArray("tasks");
          for (OffloadClient.TaskInfo t : tasks) {
            ObjectNode n = list.addObject();
            n.put("name", t.name());
            n.put("description", t.description());
            n.set("inputSchema", t.inputSchema());
            n.set("outputSchema", t.outputSchema());
          }
          out.json(body);
          return ExitCodes.OK;
        }
        List<String[]> rows = new ArrayList<>();
        for (OffloadClient.TaskInfo t : tasks) {
          rows.add(new String[] {t.name(), fields(t.inputSchema()), t.description()});
        }
        out.table(new String[] {"TASK", "INPUT", "DESCRIPTION"}, rows);
        return ExitCodes.OK;
      }
    }

    /** {@code {"ms": integer}} from a schema's properties. */
    private static String fields(JsonNode schema) {
      JsonNode props = schema == null ? null : schema.get("properties");
      if (props == null || !props.isObject()) {
        return schema == null ? "-" : schema.path("type").asText("any");
      }
      StringBuilder b = new StringBuilder("{");
      for (Iterator<Map.Entry<String, JsonNode>> it = props.properties().iterator();
          it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        b.append('"')
            .append(e.getKey())
            .append("\": ")
            .append(e.getValue().path("type").asText("any"));
        if (it.hasNext()) {
          b.append(", ");
        }
      }
      return b.append('}').toString();
    }
  }
}
