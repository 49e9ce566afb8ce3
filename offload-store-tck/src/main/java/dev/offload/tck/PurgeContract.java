package dev.offload.tck;

import static org.assertj.core.api.Assertions.assertThat;

import dev.offload.Job;
import dev.offload.JobError;
import dev.offload.JobQuery;
import dev.offload.spi.Completion;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Purging finished jobs after their retention. */
abstract class PurgeContract extends ContractSupport {
  PurgeContract(JobStoreContract owner) {
    super(owner);
  }

  @Test
  void purgesOnlyFinishedJobsFinishedBeforeTheCutOff() {
    Job succeeded = running();
    Job failed = running();
    store()
        .complete(
            List.of(
                Completion.succeeded(succeeded.lease(), now(), "1"),
                Completion.failed(
                    failed.lease(), now(), new JobError(JobError.EXCEPTION, "x", null))),
            now());
    Job cancelled = store().cancel(enqueueQueued().id(), now()).orElseThrow();
    Job queued = enqueueQueued();
    Job scheduled = enqueue(scheduled(Duration.ofSeconds(1)).build());
    Job running = running();
    clock().advance(Duration.ofHours(2));
    Job recent = store().cancel(enqueueQueued().id(), now()).orElseThrow();

    int purged = store().purge(now().minus(Duration.ofHours(1)), 100);

    assertThat(purged).isEqualTo(3);
    assertThat(listAll(JobQuery.all()))
        .extracting(Job::id)
        .containsExactlyInAnyOrder(queued.id(), scheduled.id(), running.id(), recent.id());
    for (Job gone : List.of(succeeded, failed, cancelled)) {
      assertThat(store().get(gone.id())).isEmpty();
    }
  }

  @Test
  void cutOffIsExclusive() {
    Job job = enqueueQueued();
    Instant finishedAt = store().cancel(job.id(), now()).orElseThrow().finishedAt();

    assertThat(store().purge(finishedAt, 10)).isZero();
    assertThat(store().get(job.id())).isPresent();

    assertThat(store().purge(finishedAt.plusMillis(1), 10)).isEqualTo(1);
    assertThat(store().get(job.id())).isEmpty();
  }

  @Test
  void purgeRespectsTheLimit() {
    for (int i = 0; i < 5; i++) {
      store().cancel(enqueueQueued().id(), now());
    }
    Instant cutOff = clock().advanceMillis(1);

    assertThat(store().purge(cutOff, 2)).isEqualTo(2);
    assertThat(listAll(JobQuery.all())).hasSize(3);
    assertThat(store().purge(cutOff, 2)).isEqualTo(2);
    assertThat(store().purge(cutOff, 2)).isEqualTo(1);
    assertThat(store().purge(cutOff, 2)).isZero();
    assertThat(listAll(JobQuery.all())).isEmpty();
    assertThat(nonZeroCounts()).isEmpty();
  }

  @Test
  void purgingAnEmptyStoreRemovesNothing() {
    assertThat(store().purge(now().plus(Duration.ofDays(1)), 100)).isZero();
  }
}
