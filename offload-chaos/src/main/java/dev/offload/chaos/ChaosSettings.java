package dev.offload.chaos;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * One chaos run's settings.
 *
 * <pre>{@code
 * ChaosSettings s = ChaosSettings.defaults("redis", repo, repo.resolve("offload-chaos/target/x"))
 *     .withJobs(5_000);
 * }</pre>
 *
 * @param store {@code sqlite}, {@code postgresql} or {@code redis}
 * @param jobs how many jobs to submit
 * @param workers how many {@code offload worker} processes
 * @param concurrency each worker's {@code --concurrency}
 * @param lease each worker's {@code --lease}
 * @param killEvery a worker is SIGKILLed every {@code killEvery} to twice that, at random
 * @param chaosLimit the chaos phase ends after this even if jobs remain (then the drain)
 * @param drainLimit how long the drain may take, with every worker running, before what is left
 *     counts as lost
 * @param seed for the job mix and the choice of victims
 * @param repo the checkout (its {@code ./offload} starts the workers)
 * @param runDir where events logs, worker logs, store data and {@code report.json} go
 */
public record ChaosSettings(
    String store,
    int jobs,
    int workers,
    int concurrency,
    Duration lease,
    Duration killEvery,
    Duration chaosLimit,
    Duration drainLimit,
    long seed,
    Path repo,
    Path runDir) {

  public ChaosSettings {
    Objects.requireNonNull(store, "store");
    if (jobs < 1 || workers < 2 || concurrency < 1) {
      throw new IllegalArgumentException(
          "need jobs >= 1, workers >= 2, concurrency >= 1; got jobs="
              + jobs
              + " workers="
              + workers
              + " concurrency="
              + concurrency);
    }
  }

  /** 100,000 jobs, 3 workers of concurrency 2, a 2 s lease, a kill every 3-6 s. */
  public static ChaosSettings defaults(String store, Path repo, Path runDir) {
    return new ChaosSettings(
        store,
        100_000,
        3,
        2,
        Duration.ofSeconds(2),
        Duration.ofSeconds(3),
        Duration.ofMinutes(30),
        Duration.ofMinutes(3),
        20261203L,
        repo,
        runDir);
  }

  public ChaosSettings withJobs(int n) {
    return new ChaosSettings(
        store,
        n,
        workers,
        concurrency,
        lease,
        killEvery,
        chaosLimit,
        drainLimit,
        seed,
        repo,
        runDir);
  }

  public ChaosSettings withSeed(long s) {
    return new ChaosSettings(
        store,
        jobs,
        workers,
        concurrency,
        lease,
        killEvery,
        chaosLimit,
        drainLimit,
        s,
        repo,
        runDir);
  }

  public ChaosSettings withLease(Duration d) {
    return new ChaosSettings(
        store,
        jobs,
        workers,
        concurrency,
        d,
        killEvery,
        chaosLimit,
        drainLimit,
        seed,
        repo,
        runDir);
  }

  public ChaosSettings withLimits(Duration chaos, Duration drain) {
    return new ChaosSettings(
        store, jobs, workers, concurrency, lease, killEvery, chaos, drain, seed, repo, runDir);
  }
}
