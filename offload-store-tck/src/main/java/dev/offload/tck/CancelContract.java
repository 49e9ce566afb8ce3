package dev.offload.tck;

import static org.assertj.core.api.Assertions.assertThat;

import dev.offload.Job;
import dev.offload.JobError;
import dev.offload.JobState;
import dev.offload.spi.Completion;
import dev.offload.spi.Heartbeat;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Cancel of pending, running and finished jobs. */
abstract class CancelContract extends ContractSupport {
  CancelContract(JobStoreContract owner) {
    super(owner);
  }

  @Test
  void queuedJobIsCancelledAndNeverClaimed() {
    Job job = enqueueQueued();
    clock().advanceMillis(40);

    Job cancelled = store().cancel(job.id(), now()).orElseThrow();

    assertCancelledNow(cancelled);
    assertThat(get(job.id())).isEqualTo(cancelled);
    assertThat(claim(WORKER, 10)).isEmpty();
  }

  @Test
  void scheduledJobIsCancelledAndNeverClaimed() {
    Job job = enqueue(scheduled(Duration.ofSeconds(5)).build());

    Job cancelled = store().cancel(job.id(), now()).orElseThrow();

    assertCancelledNow(cancelled);
    clock().advance(Duration.ofSeconds(10));
    assertThat(claim(WORKER, 10)).isEmpty();
    assertThat(get(job.id())).isEqualTo(cancelled);
  }

  @Test
  void runningJobIsCancelledAtOnceAndItsLeaseIsGone() {
    Job job = running();
    clock().advanceMillis(500);

    Job cancelled = store().cancel(job.id(), now()).orElseThrow();

    assertCancelledNow(cancelled);
    assertThat(cancelled.attempts()).isEqualTo(1);
    assertThat(
            store()
                .heartbeat(
                    List.of(new Heartbeat(job.lease(), null, null)), now().plus(LEASE), now()))
        .containsExactly(job.lease());
    assertThat(store().complete(List.of(Completion.succeeded(job.lease(), now(), "1")), now()))
        .containsExactly(false);
    clock().advance(LEASE.multipliedBy(2));
    assertThat(store().reapExpiredLeases(now(), 100)).isEmpty();
    assertThat(get(job.id())).isEqualTo(cancelled);
  }

  @Test
  void finishedJobsAreLeftAsTheyAre() {
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
    clock().advance(Duration.ofSeconds(1));

    for (Job job : List.of(get(succeeded.id()), get(failed.id()), cancelled)) {
      assertThat(store().cancel(job.id(), now())).as("cancel of %s", job.state()).contains(job);
      assertThat(get(job.id())).isEqualTo(job);
    }
  }

  @Test
  void unknownJobCancelsToNothing() {
    assertThat(store().cancel(queued().build().id(), now())).isEqualTo(Optional.empty());
  }

  private void assertCancelledNow(Job job) {
    assertThat(job.state()).isEqualTo(JobState.CANCELLED);
    assertThat(job.finishedAt()).isEqualTo(now());
    assertThat(job.leaseOwner()).isNull();
    assertThat(job.leaseExpiresAt()).isNull();
    assertThat(job.result()).isNull();
    assertThat(job.error()).isNotNull();
    assertThat(job.error().type()).isEqualTo(JobError.CANCELLED);
  }
}
