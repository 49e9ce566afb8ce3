package dev.offload.tck;

import static org.assertj.core.api.Assertions.assertThat;

import dev.offload.Backoff;
import dev.offload.Job;
import dev.offload.JobQuery;
import dev.offload.JobState;
import dev.offload.spi.Completion;
import dev.offload.spi.EnqueueResult;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Enqueue, enqueueAll and idempotency-key dedupe. */
abstract class EnqueueContract extends ContractSupport {
  EnqueueContract(JobStoreContract owner) {
    super(owner);
  }

  @Test
  void queuedJobIsStoredWithEveryFieldAsGiven() {
    Job job =
        queued()
            .task("reports.render")
            .queue("reports")
            .priority(-7)
            .input("{\"n\":1}")
            .maxAttempts(9)
            .backoff(Backoff.of(Duration.ofMillis(250), Duration.ofSeconds(40)))
            .timeout(Duration.ofMillis(1500))
            .idempotencyKey("order-42")
            .build();

    EnqueueResult result = store().enqueue(job);

    assertThat(result.created()).isTrue();
    assertThat(result.job()).isEqualTo(job);
    assertThat(get(job.id())).isEqualTo(job);
    assertThat(get(job.id()).state()).isEqualTo(JobState.QUEUED);
  }

  @Test
  void scheduledJobIsStoredScheduledUntilItsRunAt() {
    Job job = scheduled(Duration.ofMinutes(5)).priority(3).build();

    enqueue(job);

    Job stored = get(job.id());
    assertThat(stored).isEqualTo(job);
    assertThat(stored.state()).isEqualTo(JobState.SCHEDULED);
    assertThat(stored.runAt()).isEqualTo(now().plus(Duration.ofMinutes(5)));
  }

  @Test
  void unknownIdIsAbsent() {
    enqueueQueued();
    assertThat(store().get(queued().build().id())).isEmpty();
  }

  @Test
  void secondEnqueueWithSameKeyReturnsTheFirstJobAndStoresNothing() {
    Job first = enqueue(queued().idempotencyKey("k").input("{\"v\":1}").build());
    clock().advanceMillis(10);
    Job second = queued().idempotencyKey("k").input("{\"v\":2}").queue("other").build();

    EnqueueResult result = store().enqueue(second);

    assertThat(result.created()).isFalse();
    assertThat(result.job()).isEqualTo(first);
    assertThat(store().get(second.id())).isEmpty();
    assertThat(listAll(JobQuery.all())).extracting(Job::id).containsExactly(first.id());
  }

  @Test
  void duplicateEnqueueReturnsTheFirstJobAsItIsNow() {
    Job first = queued().idempotencyKey("k").build();
    Job running = running(first, WORKER);

    EnqueueResult result = store().enqueue(queued().idempotencyKey("k").build());

    assertThat(result.created()).isFalse();
    assertThat(result.job()).isEqualTo(running).isEqualTo(get(first.id()));
  }

  @Test
  void keyKeepsDedupingAfterTheJobFinished() {
    Job running = running(queued().idempotencyKey("k").build(), WORKER);
    store().complete(List.of(Completion.succeeded(running.lease(), now(), "{}")), now());

    EnqueueResult result = store().enqueue(queued().idempotencyKey("k").build());

    assertThat(result.created()).isFalse();
    assertThat(result.job().id()).isEqualTo(running.id());
    assertThat(result.job().state()).isEqualTo(JobState.SUCCEEDED);
  }

  @Test
  void keyIsFreeAgainAfterTheJobIsDeleted() {
    Job first = enqueue(queued().idempotencyKey("k").build());
    assertThat(store().delete(first.id())).isTrue();

    Job second = queued().idempotencyKey("k").build();
    EnqueueResult result = store().enqueue(second);

    assertThat(result.created()).isTrue();
    assertThat(result.job()).isEqualTo(second);
    assertThat(get(second.id())).isEqualTo(second);
  }

  @Test
  void keyIsFreeAgainAfterTheJobIsPurged() {
    Job first = enqueue(queued().idempotencyKey("k").build());
    store().cancel(first.id(), now());
    assertThat(store().purge(clock().advanceMillis(1), 10)).isEqualTo(1);

    Job second = queued().idempotencyKey("k").build();
    EnqueueResult result = store().enqueue(second);

    assertThat(result.created()).isTrue();
    assertThat(get(second.id())).isEqualTo(second);
  }

  @Test
  void jobsWithoutKeyOrWithDifferentKeysAreAllCreated() {
    Job a = enqueue(queued().build());
    Job b = enqueue(queued().build());
    Job c = enqueue(queued().idempotencyKey("k1").build());
    Job d = enqueue(queued().idempotencyKey("k2").build());

    assertThat(listAll(JobQuery.all()))
        .extracting(Job::id)
        .containsExactlyInAnyOrder(a.id(), b.id(), c.id(), d.id());
  }

  @Test
  void enqueueAllStoresEveryJobAndAnswersInInputOrder() {
    List<Job> batch =
        List.of(
            queued().queue("a").build(),
            scheduled(Duration.ofSeconds(5)).queue("b").build(),
            queued().priority(4).build(),
            queued().idempotencyKey("k").build());

    List<EnqueueResult> results = store().enqueueAll(batch);

    assertThat(results).extracting(EnqueueResult::created).containsExactly(true, true, true, true);
    assertThat(results).extracting(EnqueueResult::job).containsExactlyElementsOf(batch);
    for (Job job : batch) {
      assertThat(get(job.id())).isEqualTo(job);
    }
  }

  @Test
  void enqueueAllDedupesWithinTheBatchAndAgainstStoredJobs() {
    Job stored = enqueue(queued().idempotencyKey("old").build());
    Job a = queued().idempotencyKey("k1").build();
    Job b = queued().idempotencyKey("k2").build();
    Job aAgain = queued().idempotencyKey("k1").build();
    Job plain = queued().build();
    Job oldAgain = queued().idempotencyKey("old").build();

    List<EnqueueResult> results = store().enqueueAll(List.of(a, b, aAgain, plain, oldAgain));

    assertThat(results)
        .extracting(EnqueueResult::created)
        .containsExactly(true, true, false, true, false);
    assertThat(results).extracting(EnqueueResult::job).containsExactly(a, b, a, plain, stored);
    assertThat(listAll(JobQuery.all()))
        .extracting(Job::id)
        .containsExactlyInAnyOrder(stored.id(), a.id(), b.id(), plain.id());
  }

  @Test
  void enqueueAllOfNothingDoesNothing() {
    assertThat(store().enqueueAll(List.of())).isEmpty();
    assertThat(listAll(JobQuery.all())).isEmpty();
  }
}
