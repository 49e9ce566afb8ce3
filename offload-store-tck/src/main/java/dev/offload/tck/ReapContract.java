package dev.offload.tck;

import static org.assertj.core.api.Assertions.assertThat;

import dev.offload.Job;
import dev.offload.JobError;
import dev.offload.JobState;
import dev.offload.spi.ClaimRequest;
import dev.offload.spi.Heartbeat;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Leases that lapse: back to the queue while attempts remain, else failed. */
abstract class ReapContract extends ContractSupport {
  ReapContract(JobStoreContract owner) {
    super(owner);
  }

  @Test
  void leaseIsReapedOnlyStrictlyAfterItExpires() {
    Job job = running();
    Instant expiry = job.leaseExpiresAt();

    assertThat(store().reapExpiredLeases(expiry.minusMillis(1), 100)).isEmpty();
    assertThat(store().reapExpiredLeases(expiry, 100)).as("at the expiry instant itself").isEmpty();
    assertThat(get(job.id())).isEqualTo(job);

    clock().set(expiry.plusMillis(1));
    assertThat(store().reapExpiredLeases(now(), 100)).extracting(Job::id).containsExactly(job.id());
  }

  @Test
  void reapedJobWithAttemptsLeftIsQueuedAgain() {
    Job job = running(queued().queue("q").maxAttempts(2).build(), WORKER);
    clock().advance(LEASE.plusSeconds(1));

    List<Job> reaped = store().reapExpiredLeases(now(), 100);

    assertThat(reaped).hasSize(1);
    Job queued = reaped.get(0);
    assertThat(queued.state()).isEqualTo(JobState.QUEUED);
    assertThat(queued.attempts()).isEqualTo(1);
    assertThat(queued.leaseOwner()).isNull();
    assertThat(queued.leaseExpiresAt()).isNull();
    assertThat(queued.finishedAt()).isNull();
    assertThat(queued.runAt())
        .as("back in its old place in line, ahead of a backlog")
        .isEqualTo(job.runAt());
    assertThat(queued.error()).isNotNull();
    assertThat(queued.error().type()).isEqualTo(JobError.LEASE_EXPIRED);
    assertThat(queued).isEqualTo(job.reaped(now()));
    assertThat(queued.history())
        .singleElement()
        .satisfies(a -> {
          assertThat(a.attempt()).isEqualTo(1);
          assertThat(a.worker()).isEqualTo(WORKER);
          assertThat(a.outcome()).isEqualTo(dev.offload.JobAttempt.LEASE_EXPIRED);
          assertThat(a.endedAt()).isEqualTo(now());
        });
    assertThat(get(job.id())).isEqualTo(queued);

    List<Job> again = claim(OTHER_WORKER, 1, "q");
    assertThat(again).extracting(Job::nextAttempt).containsExactly(2);
  }

  @Test
  void reapedJobWithoutAttemptsLeftFails() {
    Job job = running(queued().queue("q").maxAttempts(1).build(), WORKER);
    clock().advance(LEASE.plusSeconds(1));

    List<Job> reaped = store().reapExpiredLeases(now(), 100);

    assertThat(reaped).hasSize(1);
    Job failed = reaped.get(0);
    assertThat(failed.state()).isEqualTo(JobState.FAILED);
    assertThat(failed.finishedAt()).isEqualTo(now());
    assertThat(failed.leaseOwner()).isNull();
    assertThat(failed.error().type()).isEqualTo(JobError.LEASE_EXPIRED);
    assertThat(failed.error().message()).isNotBlank();
    assertThat(failed).isEqualTo(job.reaped(now()));
    assertThat(get(job.id())).isEqualTo(failed);
    assertThat(claim(WORKER, 10)).isEmpty();
  }

  @Test
  void onlyExpiredRunningJobsAreReaped() {
    Instant t0 = now();
    Job shortLease = enqueue(queued().queue("short").build());
    Job claimedShort =
        store()
            .claim(new ClaimRequest(WORKER, Set.of("short"), 1, t0, t0.plus(Duration.ofSeconds(5))))
            .jobs()
            .get(0);
    store()
        .heartbeat(
            List.of(new Heartbeat(claimedShort.lease(), null, t0)),
            t0.plus(Duration.ofSeconds(5)),
            t0);
    Job notStarted = claimed(queued().queue("not-started").build(), WORKER);
    Job longLease = running();
    Job queued = enqueueQueued();
    Job scheduled = enqueue(scheduled(Duration.ofSeconds(1)).build());
    clock().advance(Duration.ofSeconds(10));

    List<Job> reaped = store().reapExpiredLeases(now(), 100);

    assertThat(reaped).extracting(Job::id).containsExactly(shortLease.id());
    assertThat(get(longLease.id())).isEqualTo(longLease);
    assertThat(get(queued.id())).isEqualTo(queued);
    assertThat(get(scheduled.id())).isEqualTo(scheduled);
    assertThat(get(notStarted.id()))
        .as("a lapsed claim that never started is not reaped: a claim takes it over")
        .isEqualTo(notStarted);
    assertThat(store().reapExpiredLeases(now(), 100)).as("reaping twice").isEmpty();
  }

  @Test
  void reapingTakesAtMostTheLimit() {
    List<Job> jobs = new java.util.ArrayList<>();
    for (int i = 0; i < 5; i++) {
      jobs.add(running());
    }
    clock().advance(LEASE.plusSeconds(1));

    assertThat(store().reapExpiredLeases(now(), 2)).hasSize(2);
    assertThat(store().reapExpiredLeases(now(), 2)).hasSize(2);
    assertThat(store().reapExpiredLeases(now(), 2)).hasSize(1);
    assertThat(store().reapExpiredLeases(now(), 2)).isEmpty();
    assertThat(jobs).allSatisfy(j -> assertThat(get(j.id()).state()).isEqualTo(JobState.QUEUED));
  }

  @Test
  void aReapedJobIsClaimedBeforeTheBacklogQueuedAfterIt() {
    Job job = running(queued().queue("q").maxAttempts(2).build(), WORKER);
    clock().advanceMillis(10);
    for (int i = 0; i < 5; i++) {
      enqueue(queued().queue("q").build());
    }
    clock().advance(LEASE.plusSeconds(1));
    assertThat(store().reapExpiredLeases(now(), 100)).extracting(Job::id).containsExactly(job.id());

    assertThat(claim(OTHER_WORKER, 1, "q")).extracting(Job::id).containsExactly(job.id());
  }

  @Test
  void reapingAnEmptyStoreFindsNothing() {
    assertThat(store().reapExpiredLeases(now().plus(Duration.ofDays(1)), 100)).isEmpty();
  }
}
