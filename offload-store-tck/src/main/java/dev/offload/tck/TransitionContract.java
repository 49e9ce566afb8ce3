package dev.offload.tck;

import static org.assertj.core.api.Assertions.assertThat;

import dev.offload.Job;
import dev.offload.JobError;
import dev.offload.JobId;
import dev.offload.JobQuery;
import dev.offload.JobState;
import dev.offload.JobStateConflictException;
import dev.offload.Lease;
import dev.offload.Progress;
import dev.offload.spi.ClaimRequest;
import dev.offload.spi.Completion;
import dev.offload.spi.Heartbeat;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * Every change a store makes is one the transition table allows. A seeded random walk drives the
 * store through every SPI call (stale leases and duplicate keys included) behind a {@link
 * TransitionCheckingStore}, which checks each call's effect on every job.
 */
abstract class TransitionContract extends ContractSupport {
  private static final long SEED = 20300101L;
  private static final int STEPS = 4_000;
  private static final JobError BOOM = new JobError(JobError.EXCEPTION, "boom", null);

  /** The table's edges that SPI calls alone can produce; a walk that misses one proves little. */
  private static final Set<String> REACHABLE =
      Set.of(
          "QUEUED->RUNNING",
          "QUEUED->CANCELLED",
          "SCHEDULED->CANCELLED",
          "RUNNING->SUCCEEDED",
          "RUNNING->FAILED",
          "RUNNING->CANCELLED",
          "RUNNING->QUEUED",
          "RUNNING->SCHEDULED",
          "FAILED->QUEUED",
          "CANCELLED->QUEUED",
          // A claimed job's completion, its start not yet reported: started on the way.
          "QUEUED->SUCCEEDED",
          "QUEUED->SCHEDULED");

  TransitionContract(JobStoreContract owner) {
    super(owner);
  }

  @Test
  void everyChangeFollowsTheTransitionTable() {
    TransitionCheckingStore checked = new TransitionCheckingStore(store());
    Random random = new Random(SEED);
    List<JobId> ids = new ArrayList<>();
    List<Lease> leases = new ArrayList<>();

    for (int step = 0; step < STEPS; step++) {
      int dice = random.nextInt(100);
      if (dice < 15) {
        if (ids.size() < 60) {
          List<Job> batch = new ArrayList<>();
          for (int i = random.nextInt(3); i >= 0; i--) {
            batch.add(randomJob(random));
          }
          if (batch.size() == 1) {
            checked.enqueue(batch.get(0));
          } else {
            checked.enqueueAll(batch);
          }
          batch.forEach(j -> ids.add(j.id()));
        }
      } else if (dice < 35) {
        Set<String> queues =
            switch (random.nextInt(3)) {
              case 0 -> Set.of();
              case 1 -> Set.of("a");
              default -> Set.of("b", "c");
            };
        Duration lease = Duration.ofMillis(500 + random.nextInt(3000));
        for (Job job :
            checked
                .claim(
                    new ClaimRequest(
                        "w" + random.nextInt(3),
                        queues,
                        1 + random.nextInt(3),
                        now(),
                        now().plus(lease)))
                .jobs()) {
          leases.add(job.lease());
        }
      } else if (dice < 45 && !leases.isEmpty()) {
        List<Heartbeat> beats = new ArrayList<>();
        for (int i = random.nextInt(2); i >= 0; i--) {
          beats.add(
              new Heartbeat(
                  recent(random, leases),
                  new Progress(random.nextDouble(), "p"),
                  random.nextInt(4) > 0 ? now() : null));
        }
        checked.heartbeat(beats, now().plus(Duration.ofSeconds(2)), now());
      } else if (dice < 65 && !leases.isEmpty()) {
        Lease lease = recent(random, leases);
        Completion c =
            switch (random.nextInt(4)) {
              case 0 -> Completion.succeeded(lease, now(), "{\"ok\":true}");
              case 1 -> Completion.failed(lease, now(), BOOM);
              case 2 ->
                  Completion.retry(lease, now(), BOOM, now().plusMillis(random.nextInt(3000)));
              default -> Completion.release(lease);
            };
        checked.complete(List.of(c), now());
      } else if (dice < 71 && !ids.isEmpty()) {
        checked.cancel(pick(random, ids), now());
      } else if (dice < 77 && !ids.isEmpty()) {
        try {
          checked.requeue(pick(random, ids), now());
        } catch (JobStateConflictException expected) {
          // Most picks are not failed or cancelled; the table check is what matters.
        }
      } else if (dice < 80 && !ids.isEmpty()) {
        JobId id = pick(random, ids);
        try {
          if (checked.delete(id)) {
            ids.remove(id);
          }
        } catch (JobStateConflictException expected) {
          // A running job: deleting it is refused.
        }
      } else if (dice < 86) {
        checked.reapExpiredLeases(now(), 100);
      } else if (dice < 90) {
        checked.purge(now().minusMillis(random.nextInt(2000)), 1 + random.nextInt(3));
        ids.removeIf(id -> store().get(id).isEmpty());
      } else {
        clock().advanceMillis(random.nextInt(1500));
      }
    }

    assertThat(checked.violations()).isEmpty();
    assertThat(checked.observedTransitions()).containsAll(REACHABLE);
    assertThat(checked.observedTransitions())
        .as("a due scheduled job is queued when claimed")
        .contains("SCHEDULED->QUEUED");
    assertThat(nonZeroCounts()).as("counts agree with the listing").isEqualTo(countListed());
  }

  private Job randomJob(Random random) {
    JobBuilder b =
        random.nextInt(3) == 0 ? scheduled(Duration.ofMillis(random.nextInt(3000))) : queued();
    int key = random.nextInt(10);
    return b.queue(List.of("a", "b", "c").get(random.nextInt(3)))
        .priority(random.nextInt(3))
        .maxAttempts(1 + random.nextInt(3))
        .idempotencyKey(key < 4 ? "key-" + key : null)
        .build();
  }

  private Map<String, Map<JobState, Long>> countListed() {
    Map<String, Map<JobState, Long>> counts = new TreeMap<>();
    for (Job job : listAll(JobQuery.all().limit(JobQuery.MAX_LIMIT))) {
      counts
          .computeIfAbsent(job.queue(), q -> new EnumMap<>(JobState.class))
          .merge(job.state(), 1L, Long::sum);
    }
    return counts;
  }

  /** One of the latest few: old leases are mostly stale, and the walk should also hit live ones. */
  private static <T> T recent(Random random, List<T> from) {
    int window = Math.min(from.size(), 6);
    return from.get(from.size() - 1 - random.nextInt(window));
  }

  private static <T> T pick(Random random, List<T> from) {
    return from.get(random.nextInt(from.size()));
  }
}
