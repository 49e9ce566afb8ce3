package dev.offload.cli;

import dev.offload.Job;
import dev.offload.JobEvent;
import dev.offload.JobQuery;
import dev.offload.JobSpec;
import dev.offload.JobState;
import dev.offload.Offload;
import dev.offload.Page;
import dev.offload.cli.internal.Engines;
import dev.offload.demo.DemoTasks;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code offload bench}: load drivers for stores and the engine. */
@Command(
    name = "bench",
    description = "Benchmarks.",
    subcommands = {BenchCommand.Drain.class})
final class BenchCommand implements Runnable {
  @Spec CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /**
   * Enqueues N {@code spin} jobs in bulk and drains them with in-process workers; reports jobs/s
   * (first submit to last completion) and enqueue-to-start latency (each job's startedAt minus
   * createdAt, as the store recorded them).
   */
  @Command(
      name = "drain",
      description =
          "Enqueue N spin jobs in bulk into a store, drain them with in-process workers, report jobs/s and start latency.")
  static final class Drain implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(
        names = "--store",
        required = true,
        description = "Job store URL (memory:, sqlite:PATH, postgresql://..., redis://...).")
    String store;

    @Option(names = "--jobs", required = true, description = "How many jobs.")
    int jobs;

    @Option(
        names = "--ms",
        defaultValue = "0",
        description = "CPU milliseconds per job (default ${DEFAULT-VALUE}).")
    long ms;

    @Option(names = "--workers", description = "Jobs run at once (default: cores).")
    Integer workers;

    @Option(
        names = "--batch",
        defaultValue = "1000",
        description = "Jobs per submitAll call (default ${DEFAULT-VALUE}; 1: unbatched).")
    int batch;

    @Option(
        names = "--rate",
        defaultValue = "0",
        description =
            "Submit at most this many jobs/s (default 0: as fast as possible); for latency on a lightly loaded system.")
    double rate;

    @Option(
        names = "--timeout",
        defaultValue = "PT10M",
        description = "Give up after (default ${DEFAULT-VALUE}).")
    Duration timeout;

    @Option(
        names = "--output",
        defaultValue = "text",
        description = "text or json (the last line is then one JSON object).")
    String output;

    @Override
    public Integer call() throws InterruptedException {
      if (jobs < 1 || batch < 1 || (workers != null && workers < 1) || rate < 0) {
        throw new CommandLine.ParameterException(
            spec.commandLine(), "--jobs, --batch and --workers must be >= 1, --rate >= 0");
      }
      PrintWriter out = spec.commandLine().getOut();
      boolean json = "json".equalsIgnoreCase(output);
      int w = workers != null ? workers : Runtime.getRuntime().availableProcessors();
      String queue = "bench-" + UUID.randomUUID().toString().substring(0, 8);
      AtomicLong finished = new AtomicLong();
      AtomicLong failed = new AtomicLong();
      try (Offload offload =
          Offload.builder()
              .tasks(DemoTasks.registry())
              .storeUrl(store)
              .threads(w)
              .workerConcurrency(w)
              .build()) {
        AutoCloseable sub =
            offload.subscribe((JobEvent e) -> {
              if (queue.equals(e.queue()) && e.state().isTerminal()) {
                finished.incrementAndGet();
                if (e.state() != JobState.SUCCEEDED) {
                  failed.incrementAndGet();
                }
              }
            });
        if (!json) {
          out.printf(
              "bench drain: %d spin jobs of %d ms on %s, %d workers, batches of %d%s%n",
              jobs, ms, Engines.describe(store), w, batch, rate > 0 ? ", " + rate + " jobs/s" : "");
          out.flush();
        }
        DemoTasks.SpinInput input = new DemoTasks.SpinInput(ms);
        long start = System.nanoTime();
        long deadline = start + timeout.toNanos();
        int submitted = 0;
        while (submitted < jobs) {
          int n = Math.min(batch, jobs - submitted);
          List<JobSpec> specs = new ArrayList<>(n);
          for (int i = 0; i < n; i++) {
            specs.add(JobSpec.of("spin", input).queue(queue));
          }
          offload.submitAll(specs);
          submitted += n;
          if (rate > 0) {
            long due = start + (long) (submitted / rate * 1e9);
            LockSupport.parkNanos(due - System.nanoTime());
          }
        }
        long enqueued = System.nanoTime();
        // Events say when each finished; a count query now and then covers any event not seen.
        long lastCheck = System.nanoTime();
        long counted = 0;
        while (finished.get() < jobs && System.nanoTime() < deadline) {
          TimeUnit.MILLISECONDS.sleep(2);
          if (System.nanoTime() - lastCheck > 1_000_000_000L) {
            lastCheck = System.nanoTime();
            counted = finishedInStore(offload, queue);
            if (counted >= jobs) {
              break;
            }
          }
        }
        long end = System.nanoTime();
        // The count: what the events saw, or the store's counts if more (an event may be missed).
        // Never the length of a listing: a store may have purged finished jobs by then.
        long drained = Math.min(jobs, Math.max(finished.get(), counted));
        try {
          sub.close();
        } catch (Exception e) {
          // best effort: the Offload closes with it
        }
        double seconds = (end - start) / 1e9;
        if (drained < jobs) {
          drained = Math.max(drained, finishedInStore(offload, queue));
        }
        if (drained < jobs) {
          spec.commandLine()
              .getErr()
              .printf("offload: only %d of %d jobs finished within %s%n", drained, jobs, timeout);
        }
        double[] latencies = startLatencies(offload, queue);
        if (latencies.length < drained) {
          spec.commandLine()
              .getErr()
              .printf(
                  "offload: start latency from the %d of %d finished jobs the store still"
                      + " lists%n",
                  latencies.length, drained);
        }
        double p50 = percentile(latencies, 50);
        double p99 = percentile(latencies, 99);
        double perSecond = drained / seconds;
        if (!json) {
          out.printf(
              Locale.ROOT,
              "enqueued in %.3f s; drained %d jobs in %.3f s: %.0f jobs/s; start latency p50 %.2f ms, p99 %.2f ms%n",
              (enqueued - start) / 1e9,
              drained,
              seconds,
              perSecond,
              p50,
              p99);
        }
        out.printf(
            Locale.ROOT,
            "{\"jobs\":%d,\"seconds\":%.3f,\"jobsPerSecond\":%.1f,\"startLatencyP50Ms\":%.3f,\"startLatencyP99Ms\":%.3f}%n",
            drained,
            seconds,
            perSecond,
            p50,
            p99);
        out.flush();
        return drained < jobs || failed.get() > 0 ? ExitCodes.FAILED : ExitCodes.OK;
      }
    }

    /** Finished jobs of {@code queue} by the store's counts. */
    private static long finishedInStore(Offload offload, String queue) {
      var byState = offload.counts().byQueue().get(queue);
      return byState == null
          ? 0
          : byState.getOrDefault(JobState.SUCCEEDED, 0L)
              + byState.getOrDefault(JobState.FAILED, 0L)
              + byState.getOrDefault(JobState.CANCELLED, 0L);
    }

    private static double[] startLatencies(Offload offload, String queue) {
      List<Double> values = new ArrayList<>();
      JobQuery q = JobQuery.all().queue(queue).limit(JobQuery.MAX_LIMIT);
      while (true) {
        Page<Job> page = offload.jobs(q);
        for (Job j : page.items()) {
          if (j.startedAt() != null && j.state().isTerminal()) {
            values.add(Duration.between(j.createdAt(), j.startedAt()).toNanos() / 1e6);
          }
        }
        if (page.nextCursor() == null) {
          break;
        }
        q = q.cursor(page.nextCursor());
      }
      double[] out = values.stream().mapToDouble(Double::doubleValue).toArray();
      Arrays.sort(out);
      return out;
    }

    /** Nearest-rank percentile of sorted values. */
    static double percentile(double[] sorted, double p) {
      if (sorted.length == 0) {
        return 0;
      }
      int rank = (int) Math.ceil(p / 100.0 * sorted.length);
      return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }
  }
}
