package dev.offload.chaos;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.offload.Backoff;
import dev.offload.Job;
import dev.offload.JobQuery;
import dev.offload.JobSpec;
import dev.offload.JobState;
import dev.offload.Offload;
import dev.offload.Page;
import dev.offload.TaskRegistry;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One chaos run on one store: submit the jobs, start the workers, disrupt them (a SIGKILL and
 * restart every few seconds; once, a SIGSTOP for longer than the lease, then SIGCONT; once, a crash
 * and restart of the store server) until every job is terminal, drain, then check the events logs
 * against the store (see {@link Analysis}).
 *
 * <p>Design: the harness drives real {@code ./offload worker} processes, so what it measures is
 * what a user's deployment does; it trusts only the workers' events logs (what task code ran) and
 * the store's final state (what was kept), never the workers' own accounts.
 */
public final class ChaosRun {
  private static final Logger log = LoggerFactory.getLogger(ChaosRun.class);
  private static final Duration TICK = Duration.ofMillis(200);

  private final ChaosSettings settings;
  private final Random random;
  private final List<Disruption> disruptions = new ArrayList<>();
  private final List<String> storeRestarts = new ArrayList<>();

  public ChaosRun(ChaosSettings settings) {
    this.settings = settings;
    this.random = new Random(settings.seed());
  }

  /** Runs it, writes {@code report.json} in the run directory, and returns the report. */
  public Report run() throws Exception {
    Path dir = settings.runDir();
    Files.createDirectories(dir);
    try (var entries = Files.list(dir)) {
      if (entries.findAny().isPresent()) {
        throw new IllegalStateException(
            dir + " is not empty: a chaos run needs a directory of its own (its store, its logs)");
      }
    }
    Path cliJar = settings.repo().resolve("offload-cli/target/offload.jar");
    if (!Files.isRegularFile(cliJar)) {
      throw new IllegalStateException(
          "no "
              + cliJar
              + ": build it first (mvn -B -ntp -DskipTests package -pl offload-cli -am)");
    }
    List<String> load = new ArrayList<>(List.of(loadAverage()));
    Instant startedAt = Instant.now();
    long t0 = System.nanoTime();
    Map<String, FinalJob> finals = new HashMap<>();
    List<String> ids;
    double submitSeconds;
    double chaosSeconds;
    double drainSeconds;
    try (StoreServer server = StoreServer.start(settings.store(), dir)) {
      Offload client =
          Offload.builder()
              .storeUrl(server.url())
              .tasks(TaskRegistry.of(ChaosTasks.CHAOS))
              .workers(false)
              .leaseDuration(settings.lease())
              .pollInterval(settings.lease().dividedBy(2))
              .build();
      try {
        ids = submit(client);
        submitSeconds = seconds(t0);
        log.info("submitted {} jobs in {} s", ids.size(), submitSeconds);
        List<WorkerSlot> slots = new ArrayList<>();
        try {
          for (int i = 1; i <= settings.workers(); i++) {
            WorkerSlot s = new WorkerSlot(i, settings, server.url(), tasksPath());
            s.start();
            slots.add(s);
          }
          long t1 = System.nanoTime();
          chaos(client, server, slots, ids.size());
          chaosSeconds = seconds(t1);
          long t2 = System.nanoTime();
          awaitTerminal(client, ids.size(), settings.drainLimit());
          drainSeconds = seconds(t2);
        } finally {
          for (WorkerSlot s : slots) {
            s.stop();
          }
        }
        for (Job job : allJobs(client)) {
          finals.put(job.id().toString(), FinalJob.of(job));
        }
      } finally {
        client.close();
      }
    }
    load.add(loadAverage());
    Figures figures = Analysis.analyze(ids, finals, WorkerEvent.readAll(dir), disruptions);
    Report report =
        new Report(
            settings.store(),
            settings.jobs(),
            settings.workers(),
            settings.concurrency(),
            settings.lease().toMillis(),
            settings.seed(),
            startedAt.toString(),
            submitSeconds,
            chaosSeconds,
            drainSeconds,
            seconds(t0),
            (int) disruptions.stream().filter(d -> d.kind() == Disruption.Kind.KILL).count(),
            (int) disruptions.stream().filter(d -> d.kind() == Disruption.Kind.PAUSE).count(),
            storeRestarts,
            load,
            settings.lease().toMillis() + 2_000,
            figures.targetsMet(),
            figures,
            dir.toAbsolutePath().toString());
    new ObjectMapper()
        .enable(SerializationFeature.INDENT_OUTPUT)
        .writeValue(dir.resolve("report.json").toFile(), report);
    return report;
  }

  /**
   * The mix: 55% no-op, 20% 1-50 ms of CPU, 12% {@code maxAttempts 1}, 7% fail once then succeed,
   * 6% fail every attempt (of 2). Retries back off 100 ms doubling to 1 s.
   */
  private List<String> submit(Offload client) {
    List<String> ids = new ArrayList<>(settings.jobs());
    Backoff backoff = Backoff.of(Duration.ofMillis(100), Duration.ofSeconds(1));
    List<JobSpec> batch = new ArrayList<>();
    for (int i = 0; i < settings.jobs(); i++) {
      double r = random.nextDouble();
      ChaosTasks.Input in;
      int maxAttempts;
      if (r < 0.55) {
        in = new ChaosTasks.Input(0, 0);
        maxAttempts = 3;
      } else if (r < 0.75) {
        in = new ChaosTasks.Input(1 + random.nextInt(50), 0);
        maxAttempts = 3;
      } else if (r < 0.87) {
        in = new ChaosTasks.Input(random.nextBoolean() ? 0 : 1 + random.nextInt(50), 0);
        maxAttempts = 1;
      } else if (r < 0.94) {
        in = new ChaosTasks.Input(random.nextInt(10), 1);
        maxAttempts = 3;
      } else {
        in = new ChaosTasks.Input(random.nextInt(10), 99);
        maxAttempts = 2;
      }
      batch.add(JobSpec.of(ChaosTasks.NAME, in).maxAttempts(maxAttempts).backoff(backoff));
      if (batch.size() == 500 || i == settings.jobs() - 1) {
        client.submitAll(batch).forEach(j -> ids.add(j.id().toString()));
        batch.clear();
      }
    }
    return ids;
  }

  private void chaos(Offload client, StoreServer server, List<WorkerSlot> slots, int total)
      throws Exception {
    long start = System.nanoTime();
    long deadline = start + settings.chaosLimit().toNanos();
    long nextKill = start + randomKillGap();
    boolean paused = false;
    boolean pauseDone = false;
    boolean restarted = false;
    WorkerSlot pausedSlot = null;
    long resumeAt = 0;
    long lastReport = start;
    while (true) {
      long done = terminal(client);
      long now = System.nanoTime();
      if (done >= total || now > deadline) {
        break;
      }
      if (now - lastReport > 10_000_000_000L) {
        log.info("{}/{} jobs terminal after {} s", done, total, Math.round(seconds(start)));
        lastReport = now;
      }
      // At most one worker down at a time, and only one that has been working a while is hit:
      // on a loaded machine a JVM takes seconds to start, and killing it before then tests nothing.
      boolean allUp = slots.stream().allMatch(WorkerSlot::working);
      WorkerSlot stopped = paused ? pausedSlot : null;
      List<WorkerSlot> candidates =
          allUp
              ? slots.stream()
                  .filter(w -> w != stopped)
                  .filter(w -> w.workingFor(settings.killEvery()))
                  .toList()
              : List.of();
      if (!pauseDone && !paused && done >= total / 5 && !candidates.isEmpty()) {
        pausedSlot = candidates.get(random.nextInt(candidates.size()));
        Instant at = Instant.now();
        pausedSlot.pause();
        disruptions.add(
            new Disruption(
                Disruption.Kind.PAUSE, at, pausedSlot.pid(), heldBy(client, pausedSlot.pid())));
        paused = true;
        resumeAt = now + settings.lease().plusSeconds(2).toNanos();
        log.info("SIGSTOP {} for {}", pausedSlot, settings.lease().plusSeconds(2));
        candidates = List.of();
      }
      if (paused && now >= resumeAt) {
        pausedSlot.resume();
        log.info("SIGCONT {}", pausedSlot);
        paused = false;
        pauseDone = true;
      }
      if (!restarted && done >= total / 2) {
        restarted = true;
        long r0 = System.nanoTime();
        if (server.restart()) {
          String what =
              String.format(
                  "%s restarted after %d/%d jobs, down %.1f s",
                  settings.store(), done, total, seconds(r0));
          storeRestarts.add(what);
          log.info(what);
        }
      }
      if (now >= nextKill && !candidates.isEmpty()) {
        WorkerSlot victim = candidates.get(random.nextInt(candidates.size()));
        Instant at = Instant.now();
        long pid = victim.pid();
        victim.kill();
        List<String> held = heldBy(client, pid);
        disruptions.add(new Disruption(Disruption.Kind.KILL, at, pid, held));
        log.info("SIGKILL {}, which held {} jobs; restarting it", victim, held.size());
        victim.start();
        nextKill = System.nanoTime() + randomKillGap();
      }
      Thread.sleep(TICK);
    }
    if (paused) {
      pausedSlot.resume();
    }
  }

  /**
   * The jobs the store shows leased to process {@code pid} (the CLI names a worker with an events
   * log {@code worker-PID-HEX}). Asked just after the SIGKILL: a dead worker's leases stay until
   * they lapse.
   */
  private static List<String> heldBy(Offload client, long pid) {
    String owner = "worker-" + pid + "-";
    List<String> held = new ArrayList<>();
    try {
      String cursor = null;
      do {
        Page<Job> page =
            client.jobs(
                JobQuery.all()
                    .states(java.util.Set.of(JobState.RUNNING))
                    .limit(JobQuery.MAX_LIMIT)
                    .cursor(cursor));
        for (Job j : page.items()) {
          if (j.leaseOwner() != null && j.leaseOwner().startsWith(owner)) {
            held.add(j.id().toString());
          }
        }
        cursor = page.nextCursor();
      } while (cursor != null);
    } catch (RuntimeException e) {
      log.warn("could not list the jobs worker {} held: {}", pid, e.toString());
    }
    return held;
  }

  private long randomKillGap() {
    long base = settings.killEvery().toNanos();
    return base + (long) (random.nextDouble() * base);
  }

  /** Terminal jobs now; -1 while the store does not answer (being restarted). */
  private static long terminal(Offload client) {
    try {
      var totals = client.counts().totals();
      return totals.getOrDefault(JobState.SUCCEEDED, 0L)
          + totals.getOrDefault(JobState.FAILED, 0L)
          + totals.getOrDefault(JobState.CANCELLED, 0L);
    } catch (RuntimeException e) {
      return -1;
    }
  }

  private static void awaitTerminal(Offload client, int total, Duration limit)
      throws InterruptedException {
    long deadline = System.nanoTime() + limit.toNanos();
    while (terminal(client) < total && System.nanoTime() < deadline) {
      Thread.sleep(TICK);
    }
  }

  private static List<Job> allJobs(Offload client) {
    List<Job> all = new ArrayList<>();
    String cursor = null;
    do {
      Page<Job> page = client.jobs(JobQuery.all().limit(JobQuery.MAX_LIMIT).cursor(cursor));
      all.addAll(page.items());
      cursor = page.nextCursor();
    } while (cursor != null);
    return all;
  }

  /** The chaos task for the workers' {@code --tasks}: this module's classes or jar. */
  private static Path tasksPath() throws URISyntaxException {
    return Path.of(ChaosTasks.class.getProtectionDomain().getCodeSource().getLocation().toURI());
  }

  private static String loadAverage() {
    try {
      String[] parts = Files.readString(Path.of("/proc/loadavg")).trim().split(" ");
      return parts[0] + " " + parts[1] + " " + parts[2] + " at " + Instant.now();
    } catch (IOException e) {
      return "unknown at " + Instant.now();
    }
  }

  private static double seconds(long sinceNanos) {
    return Math.round((System.nanoTime() - sinceNanos) / 1e8) / 10.0;
  }
}
