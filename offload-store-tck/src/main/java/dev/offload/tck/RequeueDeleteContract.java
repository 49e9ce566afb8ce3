package dev.offload.tck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.offload.Job;
import dev.offload.JobError;
import dev.offload.JobQuery;
import dev.offload.JobState;
import dev.offload.JobStateConflictException;
import dev.offload.spi.Completion;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Operator actions: requeue a failed or cancelled job, delete a job that is not running. */
abstract class RequeueDeleteContract extends ContractSupport {
  RequeueDeleteContract(JobStoreContract owner) {
    super(owner);
  }

  @Test
  void failedJobIsQueuedAgainWithFreshAttempts() {
    Job job = running(queued().queue("q").maxAttempts(2).build(), WORKER);
    store()
        .complete(
            List.of(
                Completion.failed(job.lease(), now(), new JobError(JobError.EXCEPTION, "x", null))),
            now());
    Job failed = get(job.id());
    clock().advance(Duration.ofMinutes(1));

    Job requeued = store().requeue(job.id(), now()).orElseThrow();

    assertThat(requeued).isEqualTo(failed.requeued(now()));
    assertThat(requeued.state()).isEqualTo(JobState.QUEUED);
    assertThat(requeued.runAt()).isEqualTo(now());
    assertThat(requeued.attempts()).isEqualTo(1);
    assertThat(requeued.maxAttempts()).isEqualTo(3);
    assertThat(requeued.error()).isNull();
    assertThat(requeued.finishedAt()).isNull();
    assertThat(get(job.id())).isEqualTo(requeued);

    List<Job> again = claim(WORKER, 1, "q");
    assertThat(again).extracting(Job::nextAttempt).containsExactly(2);
    assertThat(requeued.history()).as("earlier attempts stay in the history").hasSize(1);
  }

  @Test
  void cancelledJobIsQueuedAgain() {
    Job job = enqueue(scheduled(Duration.ofHours(1)).build());
    Job cancelled = store().cancel(job.id(), now()).orElseThrow();

    Job requeued = store().requeue(job.id(), now()).orElseThrow();

    assertThat(requeued).isEqualTo(cancelled.requeued(now()));
    assertThat(claim(WORKER, 1)).extracting(Job::id).containsExactly(job.id());
  }

  @Test
  void requeueOfAJobThatIsNotFailedOrCancelledIsAConflict() {
    Job queued = enqueueQueued();
    Job scheduled = enqueue(scheduled(Duration.ofHours(1)).build());
    Job running = running();
    Job succeeded = running();
    store().complete(List.of(Completion.succeeded(succeeded.lease(), now(), "1")), now());

    for (Job job : List.of(queued, scheduled, running, get(succeeded.id()))) {
      assertThatThrownBy(() -> store().requeue(job.id(), now()))
          .as("requeue of %s", job.state())
          .isInstanceOfSatisfying(
              JobStateConflictException.class,
              e -> {
                assertThat(e.id()).isEqualTo(job.id());
                assertThat(e.state()).isEqualTo(job.state());
              });
      assertThat(get(job.id())).isEqualTo(job);
    }
  }

  @Test
  void requeueOfAnUnknownJobFindsNothing() {
    assertThat(store().requeue(queued().build().id(), now())).isEmpty();
  }

  @Test
  void pendingAndFinishedJobsCanBeDeleted() {
    Job queued = enqueueQueued();
    Job scheduled = enqueue(scheduled(Duration.ofHours(1)).build());
    Job finished = running();
    store().complete(List.of(Completion.succeeded(finished.lease(), now(), "1")), now());
    Job cancelled = store().cancel(enqueueQueued().id(), now()).orElseThrow();

    for (Job job : List.of(queued, scheduled, finished, cancelled)) {
      assertThat(store().delete(job.id())).isTrue();
      assertThat(store().get(job.id())).isEmpty();
      assertThat(store().delete(job.id())).as("deleting twice").isFalse();
    }
    assertThat(listAll(JobQuery.all())).isEmpty();
    assertThat(nonZeroCounts()).isEmpty();
    assertThat(claim(WORKER, 10)).isEmpty();
  }

  @Test
  void runningJobCannotBeDeleted() {
    Job job = running();

    assertThatThrownBy(() -> store().delete(job.id()))
        .isInstanceOfSatisfying(
            JobStateConflictException.class,
            e -> {
              assertThat(e.id()).isEqualTo(job.id());
              assertThat(e.state()).isEqualTo(JobState.RUNNING);
            });
    assertThat(get(job.id())).isEqualTo(job);
  }

  @Test
  void unknownJobIsNotDeleted() {
    assertThat(store().delete(queued().build().id())).isFalse();
  }
}
