package dev.offload.tck;

import static org.assertj.core.api.Assertions.assertThat;

import dev.offload.Job;
import dev.offload.JobId;
import dev.offload.JobState;
import dev.offload.spi.ClaimRequest;
import dev.offload.spi.Completion;
import dev.offload.spi.Heartbeat;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Claiming: what is due, in which order, how many, from which queues, and what a claim marks. */
abstract class ClaimContract extends ContractSupport {
  ClaimContract(JobStoreContract owner) {
    super(owner);
  }

  @Test
  void claimLeasesTheJobToTheWorkerWithoutChargingAnAttempt() {
    Job job = enqueueQueued();
    clock().advanceMillis(1234);
    Instant until = now().plus(Duration.ofSeconds(17));

    List<Job> claimed = store().claim(new ClaimRequest(WORKER, Set.of(), 10, now(), until)).jobs();

    assertThat(claimed).hasSize(1);
    Job held = claimed.get(0);
    assertThat(held).isEqualTo(job.claimed(WORKER, now(), until));
    assertThat(held.state()).as("claimed is not running").isEqualTo(JobState.QUEUED);
    assertThat(held.attempts()).isZero();
    assertThat(held.leaseToken()).isEqualTo(job.leaseToken() + 1);
    assertThat(held.leaseOwner()).isEqualTo(WORKER);
    assertThat(held.leaseExpiresAt()).isEqualTo(until);
    assertThat(held.startedAt()).isNull();
    assertThat(get(job.id())).isEqualTo(held);
    assertThat(nonZeroCounts()).containsEntry("default", Map.of(JobState.QUEUED, 1L));
  }

  @Test
  void aClaimedJobIsNotClaimedAgainWhileItsLeaseHoldsThenIsTakenOverWithALostReservation() {
    Job held = claimed();
    assertThat(claim(OTHER_WORKER, 10)).isEmpty();
    clock().advance(LEASE);
    assertThat(claim(OTHER_WORKER, 10)).as("a lease that ends now still holds").isEmpty();

    clock().advanceMillis(1);
    List<Job> taken = claim(OTHER_WORKER, 10);

    assertThat(taken).containsExactly(held.claimed(OTHER_WORKER, now(), now().plus(LEASE)));
    Job again = taken.get(0);
    assertThat(again.leaseToken()).isEqualTo(held.leaseToken() + 1);
    assertThat(again.lostReservations()).isEqualTo(1);
    assertThat(again.attempts()).as("the lapsed claim never started: nothing charged").isZero();
    assertThat(store().heartbeat(List.of(Heartbeat.of(held.lease())), now().plus(LEASE), now()))
        .as("the first worker's lease is gone")
        .containsExactly(held.lease());
  }

  @Test
  void emptyStoreHasNothingToClaim() {
    assertThat(claim(WORKER, 5)).isEmpty();
  }

  @Test
  void claimTakesAtMostMax() {
    for (int i = 0; i < 5; i++) {
      enqueueQueued();
    }

    assertThat(claim(WORKER, 3)).hasSize(3);
    assertThat(claim(WORKER, 3)).hasSize(2);
    assertThat(claim(WORKER, 3)).isEmpty();
  }

  @Test
  void runningJobIsNotClaimedAgainEvenAfterItsLeaseLapsesUntilReaped() {
    Job running = running();
    assertThat(claim(OTHER_WORKER, 10)).isEmpty();

    clock().advance(LEASE.multipliedBy(3));

    assertThat(claim(OTHER_WORKER, 10)).as("expired leases return only through reaping").isEmpty();
    assertThat(get(running.id())).isEqualTo(running);
  }

  @Test
  void highestPriorityFirstThenOldestRunAtThenOldestId() {
    Instant t = now();
    clock().advance(Duration.ofSeconds(10));
    List<JobId> sameRunAt = sortedIds(2, t.minusSeconds(60));
    Job lowOld = queued().id(sameRunAt.get(0)).runAt(t.minusSeconds(3)).build();
    Job lowOldTwin = queued().id(sameRunAt.get(1)).runAt(t.minusSeconds(3)).build();
    Job highNewer = queued().priority(5).runAt(t.minusSeconds(1)).build();
    Job highOlder = queued().priority(5).runAt(t.minusSeconds(2)).build();
    Job dueScheduled = scheduled(Duration.ZERO).runAt(t.minusSeconds(4)).build();
    Job negative = queued().priority(-1).runAt(t.minusSeconds(100)).build();
    Job notDue = scheduled(Duration.ofSeconds(1)).priority(9).build();
    List<Job> all =
        new ArrayList<>(
            List.of(lowOld, lowOldTwin, highNewer, highOlder, dueScheduled, negative, notDue));
    Collections.shuffle(all, new Random(7));
    all.forEach(this::enqueue);

    List<JobId> order = new ArrayList<>();
    for (List<Job> one = claim(WORKER, 1); !one.isEmpty(); one = claim(WORKER, 1)) {
      assertThat(one).hasSize(1);
      order.add(one.get(0).id());
    }

    assertThat(order)
        .containsExactly(
            highOlder.id(),
            highNewer.id(),
            dueScheduled.id(),
            lowOld.id(),
            lowOldTwin.id(),
            negative.id());
  }

  @Test
  void batchTakesTheTopJobsByClaimOrder() {
    List<Job> jobs = new ArrayList<>();
    for (int p : new int[] {3, 0, 8, 1, 8, 5, 2}) {
      jobs.add(enqueue(queued().priority(p).build()));
    }

    List<Job> claimed = claim(WORKER, 3);

    assertThat(claimed)
        .extracting(Job::priority)
        .as("the batch holds the top three; its order is not part of the contract")
        .containsExactlyInAnyOrder(8, 8, 5);
    assertThat(claimed).extracting(Job::state).containsOnly(JobState.QUEUED);
    assertThat(claimed).extracting(Job::leaseOwner).containsOnly(WORKER);
  }

  @Test
  void priorityOrderHoldsAcrossQueues() {
    Job a = enqueue(queued().queue("a").priority(1).build());
    Job b = enqueue(queued().queue("b").priority(5).build());
    Job c = enqueue(queued().queue("c").priority(3).build());

    assertThat(claim(WORKER, 1)).extracting(Job::id).containsExactly(b.id());
    assertThat(claim(WORKER, 1, "a", "c")).extracting(Job::id).containsExactly(c.id());
    assertThat(claim(WORKER, 1, "a", "c")).extracting(Job::id).containsExactly(a.id());
  }

  @Test
  void claimTakesOnlyFromTheRequestedQueues() {
    Job a1 = enqueue(queued().queue("a").build());
    Job a2 = enqueue(queued().queue("a").build());
    Job b = enqueue(queued().queue("b").priority(10).build());
    Job c = enqueue(queued().queue("c").build());
    Job d = enqueue(queued().queue("d").build());

    assertThat(claim(WORKER, 10, "nowhere")).isEmpty();
    assertThat(claim(WORKER, 10, "a"))
        .extracting(Job::id)
        .containsExactlyInAnyOrder(a1.id(), a2.id());
    assertThat(claim(WORKER, 10, "b", "c"))
        .extracting(Job::id)
        .containsExactlyInAnyOrder(b.id(), c.id());
    assertThat(claim(WORKER, 10)).extracting(Job::id).containsExactly(d.id());
    assertThat(claim(WORKER, 10)).isEmpty();
  }

  @Test
  void scheduledJobIsClaimableFromItsRunAtOn() {
    Job job = enqueue(scheduled(Duration.ofSeconds(10)).build());

    assertThat(claim(WORKER, 1)).isEmpty();
    clock().advance(Duration.ofMillis(9_999));
    assertThat(claim(WORKER, 1)).isEmpty();
    assertThat(get(job.id()).state()).isEqualTo(JobState.SCHEDULED);

    clock().advanceMillis(1);
    List<Job> claimed = claim(WORKER, 1);

    assertThat(claimed).extracting(Job::id).containsExactly(job.id());
    assertThat(claimed.get(0).state()).isEqualTo(JobState.QUEUED);
    assertThat(claimed.get(0).attempts()).isZero();
    assertThat(claimed.get(0).leaseOwner()).isEqualTo(WORKER);
  }

  @Test
  void dueScheduledJobGoesBeforeJobsQueuedAfterItsRunAt() {
    Job later = enqueue(scheduled(Duration.ofSeconds(5)).build());
    clock().advance(Duration.ofSeconds(6));
    Job fresh = enqueueQueued();

    assertThat(claim(WORKER, 1))
        .as("a due scheduled job's runAt is older than a job queued after it")
        .extracting(Job::id)
        .containsExactly(later.id());
    assertThat(claim(WORKER, 1)).extracting(Job::id).containsExactly(fresh.id());
  }

  @Test
  void everyClaimDrawsANewTokenButOnlyAStartIsCharged() {
    Job first = running();
    assertThat(first.attempts()).isEqualTo(1);
    assertThat(store().complete(List.of(Completion.release(first.lease())), now()))
        .containsExactly(true);
    assertThat(get(first.id()).attempts()).as("a release is refunded").isZero();
    clock().advanceMillis(5);

    List<Job> again = claim(OTHER_WORKER, 1, first.queue());

    assertThat(again).hasSize(1);
    assertThat(again.get(0).leaseToken()).isEqualTo(first.leaseToken() + 1);
    assertThat(again.get(0).attempts()).isZero();
    assertThat(again.get(0).nextAttempt()).isEqualTo(1);
    assertThat(again.get(0).leaseOwner()).isEqualTo(OTHER_WORKER);
    assertThat(again.get(0).lostReservations()).as("a release is not a lost claim").isZero();
  }

  private List<JobId> sortedIds(int n, Instant at) {
    List<JobId> ids = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      ids.add(JobId.newId(at));
    }
    Collections.sort(ids);
    return ids;
  }
}
