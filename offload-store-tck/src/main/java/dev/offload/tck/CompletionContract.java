package dev.offload.tck;

import static org.assertj.core.api.Assertions.assertThat;

import dev.offload.Job;
import dev.offload.JobError;
import dev.offload.JobState;
import dev.offload.Lease;
import dev.offload.Progress;
import dev.offload.spi.Completion;
import dev.offload.spi.Heartbeat;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The four outcomes of an attempt, and fencing: only the current lease may complete a job. */
abstract class CompletionContract extends ContractSupport {
  private static final JobError BOOM = new JobError(JobError.EXCEPTION, "boom", "at line 1");

  CompletionContract(JobStoreContract owner) {
    super(owner);
  }

  @Test
  void succeededStoresTheResultAndFinishesTheJob() {
    Job job = running();
    store()
        .heartbeat(
            List.of(new Heartbeat(job.lease(), new Progress(0.5, "half"), null)),
            now().plus(LEASE),
            now());
    Job beforeCompletion = get(job.id());
    clock().advanceMillis(700);
    Completion done = Completion.succeeded(job.lease(), now(), "{\"answer\":42}");

    assertThat(store().complete(List.of(done), now())).containsExactly(true);

    Job finished = get(job.id());
    assertThat(finished).isEqualTo(done.applyTo(beforeCompletion, now()));
    assertThat(finished.state()).isEqualTo(JobState.SUCCEEDED);
    assertThat(finished.result()).isEqualTo("{\"answer\":42}");
    assertThat(finished.finishedAt()).isEqualTo(now());
    assertThat(finished.leaseOwner()).isNull();
    assertThat(finished.leaseExpiresAt()).isNull();
    assertThat(finished.progress()).isEqualTo(new Progress(0.5, "half"));
  }

  @Test
  void failedStoresTheErrorAndFinishesTheJob() {
    Job job = running();
    clock().advanceMillis(300);
    Completion failed = Completion.failed(job.lease(), now(), BOOM);

    assertThat(store().complete(List.of(failed), now())).containsExactly(true);

    Job finished = get(job.id());
    assertThat(finished).isEqualTo(failed.applyTo(job, now()));
    assertThat(finished.state()).isEqualTo(JobState.FAILED);
    assertThat(finished.error()).isEqualTo(BOOM);
    assertThat(finished.result()).isNull();
    assertThat(finished.finishedAt()).isEqualTo(now());
    assertThat(claim(WORKER, 10)).isEmpty();
  }

  @Test
  void retryWaitsScheduledUntilTheRetryTime() {
    Job job = running();
    Instant retryAt = now().plus(Duration.ofSeconds(5));
    Completion retry = Completion.retry(job.lease(), now(), BOOM, retryAt);

    assertThat(store().complete(List.of(retry), now())).containsExactly(true);

    Job waiting = get(job.id());
    assertThat(waiting).isEqualTo(retry.applyTo(job, now()));
    assertThat(waiting.state()).isEqualTo(JobState.SCHEDULED);
    assertThat(waiting.runAt()).isEqualTo(retryAt);
    assertThat(waiting.error()).isEqualTo(BOOM);
    assertThat(waiting.attempts()).isEqualTo(1);
    assertThat(waiting.leaseOwner()).isNull();
    assertThat(waiting.finishedAt()).isNull();

    clock().advance(Duration.ofMillis(4_999));
    assertThat(claim(WORKER, 10)).isEmpty();
    assertThat(get(job.id()).state()).isEqualTo(JobState.SCHEDULED);

    clock().advanceMillis(1);
    List<Job> again = claim(OTHER_WORKER, 10);
    assertThat(again).extracting(Job::id).containsExactly(job.id());
    assertThat(again.get(0).nextAttempt()).isEqualTo(2);
    assertThat(again.get(0).error()).as("the last error stays visible").isEqualTo(BOOM);
  }

  @Test
  void releaseQueuesTheJobAgainAtOnce() {
    Job job = running();
    clock().advanceMillis(20);
    Completion release = Completion.release(job.lease());

    assertThat(store().complete(List.of(release), now())).containsExactly(true);

    Job queued = get(job.id());
    assertThat(queued).isEqualTo(release.applyTo(job, now()));
    assertThat(queued.state()).isEqualTo(JobState.QUEUED);
    assertThat(queued.runAt()).as("back in its old place in line").isEqualTo(job.runAt());
    assertThat(queued.attempts()).as("a release is not charged").isZero();
    assertThat(queued.leaseOwner()).isNull();
    assertThat(claim(OTHER_WORKER, 10, job.queue())).extracting(Job::id).containsExactly(job.id());
  }

  @Test
  void batchAnswersPerElementAndAppliesOnlyTheHeldOnes() {
    Job a = running();
    Job b = running();
    Job c = running();
    Lease forgedB = new Lease(b.id(), b.leaseToken(), OTHER_WORKER);

    List<Boolean> applied =
        store()
            .complete(
                List.of(
                    Completion.succeeded(a.lease(), now(), "1"),
                    Completion.succeeded(forgedB, now(), "2"),
                    Completion.failed(c.lease(), now(), BOOM)),
                now());

    assertThat(applied).containsExactly(true, false, true);
    assertThat(get(a.id()).state()).isEqualTo(JobState.SUCCEEDED);
    assertThat(get(b.id())).isEqualTo(b);
    assertThat(get(c.id()).state()).isEqualTo(JobState.FAILED);
  }

  @Test
  void emptyCompletionIsANoOp() {
    assertThat(store().complete(List.of(), now())).isEmpty();
  }

  @Test
  void secondCompletionOfTheSameAttemptIsRejected() {
    Job job = running();
    store().complete(List.of(Completion.succeeded(job.lease(), now(), "\"first\"")), now());
    Job finished = get(job.id());

    assertRejected(Completion.failed(job.lease(), now(), BOOM), finished);
    assertRejected(Completion.succeeded(job.lease(), now(), "\"second\""), finished);
  }

  @Test
  void completionFromAStaleAttemptIsRejectedEvenForTheSameWorker() {
    Job first = running();
    clock().advance(LEASE.plusMillis(1));
    store().reapExpiredLeases(now(), 100);
    Job second = claim(WORKER, 1, first.queue()).get(0);
    assertThat(second.leaseOwner()).isEqualTo(first.leaseOwner());

    assertRejected(Completion.succeeded(first.lease(), now(), "\"zombie\""), second);
    assertRejected(Completion.retry(first.lease(), now(), BOOM, now()), second);
    assertRejected(Completion.release(first.lease()), second);

    assertThat(store().complete(List.of(Completion.succeeded(second.lease(), now(), "1")), now()))
        .containsExactly(true);
  }

  @Test
  void completionFromAnotherOwnerIsRejected() {
    Job job = running();

    assertRejected(
        Completion.succeeded(new Lease(job.id(), job.leaseToken(), OTHER_WORKER), now(), "1"), job);
    assertRejected(
        Completion.failed(new Lease(job.id(), job.leaseToken() + 1, WORKER), now(), BOOM), job);
  }

  @Test
  void completionAfterReapingIsRejected() {
    Job job = running();
    clock().advance(LEASE.plusMillis(1));
    store().reapExpiredLeases(now(), 100);

    assertRejected(Completion.succeeded(job.lease(), now(), "1"), get(job.id()));
  }

  @Test
  void completionAfterReleaseIsRejected() {
    Job job = running();
    store().complete(List.of(Completion.release(job.lease())), now());

    assertRejected(Completion.succeeded(job.lease(), now(), "1"), get(job.id()));
  }

  @Test
  void completionOfAnUnknownJobIsRejected() {
    Job ghost = queued().build();

    assertThat(
            store()
                .complete(
                    List.of(Completion.succeeded(new Lease(ghost.id(), 1, WORKER), now(), "1")),
                    now()))
        .containsExactly(false);
    assertThat(store().get(ghost.id())).isEmpty();
  }

  @Test
  void completionAfterExpiryButBeforeReapingIsAccepted() {
    Job job = running();
    clock().advance(LEASE.multipliedBy(2));

    assertThat(store().complete(List.of(Completion.succeeded(job.lease(), now(), "1")), now()))
        .as("the lease lapsed but nobody took the job over")
        .containsExactly(true);
    assertThat(store().reapExpiredLeases(now(), 100)).isEmpty();
    assertThat(get(job.id()).state()).isEqualTo(JobState.SUCCEEDED);
  }

  private void assertRejected(Completion completion, Job current) {
    clock().advanceMillis(10);
    assertThat(store().complete(List.of(completion), now()))
        .as("%s against %s", completion.outcome(), current.state())
        .containsExactly(false);
    assertThat(get(current.id())).as("a rejected completion changes nothing").isEqualTo(current);
  }
}
