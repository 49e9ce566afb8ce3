package dev.offload.tck;

import static org.assertj.core.api.Assertions.assertThat;

import dev.offload.Job;
import dev.offload.JobId;
import dev.offload.JobState;
import dev.offload.Lease;
import dev.offload.Progress;
import dev.offload.spi.Completion;
import dev.offload.spi.Heartbeat;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Lease renewal and progress; the lost ids a heartbeat reports. */
abstract class HeartbeatContract extends ContractSupport {
  HeartbeatContract(JobStoreContract owner) {
    super(owner);
  }

  @Test
  void heartbeatRenewsTheLease() {
    Job job = running();
    clock().advance(Duration.ofSeconds(10));
    Instant until = now().plus(LEASE);

    assertThat(store().heartbeat(List.of(new Heartbeat(job.lease(), null, null)), until, now()))
        .isEmpty();

    assertThat(get(job.id())).isEqualTo(job.renewed(until, null));
    assertThat(get(job.id()).leaseExpiresAt()).isEqualTo(until);
  }

  @Test
  void renewedLeaseOutlivesTheFirstOne() {
    Job job = running();
    clock().advance(LEASE.minusSeconds(1));
    store().heartbeat(List.of(new Heartbeat(job.lease(), null, null)), now().plus(LEASE), now());

    clock().advance(Duration.ofSeconds(2));

    assertThat(store().reapExpiredLeases(now(), 100)).isEmpty();
    assertThat(get(job.id()).state()).isEqualTo(JobState.RUNNING);
  }

  @Test
  void heartbeatStoresProgressAndNullKeepsTheLastOne() {
    Job job = running();
    Progress half = new Progress(0.5, "half way");

    store().heartbeat(List.of(new Heartbeat(job.lease(), half, null)), now().plus(LEASE), now());
    assertThat(get(job.id()).progress()).isEqualTo(half);

    clock().advanceMillis(100);
    store().heartbeat(List.of(new Heartbeat(job.lease(), null, null)), now().plus(LEASE), now());
    assertThat(get(job.id()).progress()).isEqualTo(half);
    assertThat(get(job.id()).leaseExpiresAt()).isEqualTo(now().plus(LEASE));

    Progress done = new Progress(1.0, null);
    store().heartbeat(List.of(new Heartbeat(job.lease(), done, null)), now().plus(LEASE), now());
    assertThat(get(job.id()).progress()).isEqualTo(done);
  }

  @Test
  void heartbeatAfterExpiryButBeforeReapingStillRenews() {
    Job job = running();
    clock().advance(LEASE.plusSeconds(5));

    assertThat(
            store()
                .heartbeat(
                    List.of(new Heartbeat(job.lease(), null, null)), now().plus(LEASE), now()))
        .as("nobody took the job over, so the lease is still this worker's")
        .isEmpty();
    assertThat(store().reapExpiredLeases(now(), 100)).isEmpty();
  }

  @Test
  void cancelledJobIsReportedLost() {
    Job job = running();
    store().cancel(job.id(), now());
    Job cancelled = get(job.id());

    assertLostAndUnchanged(job.lease(), cancelled);
  }

  @Test
  void reapedJobIsReportedLost() {
    Job job = running();
    clock().advance(LEASE.plusMillis(1));
    assertThat(store().reapExpiredLeases(now(), 100)).extracting(Job::id).containsExactly(job.id());
    Job reaped = get(job.id());

    assertLostAndUnchanged(job.lease(), reaped);
  }

  @Test
  void staleAttemptIsReportedLostAndDoesNotTouchTheNewAttempt() {
    Job first = running();
    clock().advance(LEASE.plusMillis(1));
    store().reapExpiredLeases(now(), 100);
    Job second = claim(WORKER, 1, first.queue()).get(0);
    assertThat(second.leaseToken()).isEqualTo(first.leaseToken() + 1);
    assertThat(second.nextAttempt()).isEqualTo(2);

    assertLostAndUnchanged(first.lease(), second);
  }

  @Test
  void wrongOwnerIsReportedLost() {
    Job job = running();
    Lease forged = new Lease(job.id(), job.leaseToken(), OTHER_WORKER);

    assertLostAndUnchanged(forged, job);
  }

  @Test
  void finishedJobIsReportedLost() {
    Job job = running();
    store().complete(List.of(Completion.succeeded(job.lease(), now(), "{}")), now());

    assertLostAndUnchanged(job.lease(), get(job.id()));
  }

  @Test
  void unknownJobIsReportedLost() {
    JobId nobody = queued().build().id();

    assertThat(
            store()
                .heartbeat(
                    List.of(new Heartbeat(new Lease(nobody, 1, WORKER), null, null)),
                    now().plus(LEASE),
                    now()))
        .containsExactly(new Lease(nobody, 1, WORKER));
    assertThat(store().get(nobody)).isEmpty();
  }

  @Test
  void batchRenewsTheHeldLeasesAndReportsOnlyTheLostOnes() {
    Job held = running();
    Job cancelled = running();
    Job alsoHeld = running();
    store().cancel(cancelled.id(), now());
    clock().advance(Duration.ofSeconds(3));
    Instant until = now().plus(LEASE);
    Progress p = new Progress(0.25, "a quarter");

    var lost =
        store()
            .heartbeat(
                List.of(
                    new Heartbeat(held.lease(), p, null),
                    new Heartbeat(cancelled.lease(), p, null),
                    new Heartbeat(alsoHeld.lease(), null, null)),
                until,
                now());

    assertThat(lost).containsExactly(cancelled.lease());
    assertThat(get(held.id())).isEqualTo(held.renewed(until, p));
    assertThat(get(alsoHeld.id())).isEqualTo(alsoHeld.renewed(until, null));
    assertThat(get(cancelled.id()).progress()).isNull();
  }

  @Test
  void aHeartbeatWithAStartMakesAClaimedJobRunningAndChargesTheAttempt() {
    Job held = claimed();
    clock().advance(Duration.ofSeconds(2));
    Instant startedAt = now().minusSeconds(1);
    Instant until = now().plus(LEASE);

    assertThat(
            store().heartbeat(List.of(new Heartbeat(held.lease(), null, startedAt)), until, now()))
        .isEmpty();

    Job running = get(held.id());
    assertThat(running).isEqualTo(held.started(startedAt).renewed(until, null));
    assertThat(running.state()).isEqualTo(JobState.RUNNING);
    assertThat(running.attempts()).isEqualTo(1);
    assertThat(running.startedAt()).isEqualTo(startedAt);
    assertThat(nonZeroCounts()).containsEntry(held.queue(), java.util.Map.of(JobState.RUNNING, 1L));

    clock().advanceMillis(10);
    store().heartbeat(List.of(new Heartbeat(held.lease(), null, now())), now().plus(LEASE), now());
    assertThat(get(held.id()).attempts()).as("a repeated start charges nothing more").isEqualTo(1);
    assertThat(get(held.id()).startedAt()).isEqualTo(startedAt);
  }

  @Test
  void aPlainHeartbeatRenewsAClaimedJobWithoutStartingIt() {
    Job held = claimed();
    clock().advance(Duration.ofSeconds(5));
    Instant until = now().plus(LEASE);

    assertThat(store().heartbeat(List.of(Heartbeat.of(held.lease())), until, now())).isEmpty();

    assertThat(get(held.id())).isEqualTo(held.renewed(until, null));
    assertThat(get(held.id()).state()).isEqualTo(JobState.QUEUED);
    clock().advance(LEASE.minusSeconds(1));
    assertThat(claim(OTHER_WORKER, 1)).as("the renewed claim still holds").isEmpty();
  }

  @Test
  void emptyHeartbeatIsANoOp() {
    assertThat(store().heartbeat(List.of(), now().plus(LEASE), now())).isEmpty();
  }

  private void assertLostAndUnchanged(Lease lease, Job current) {
    clock().advanceMillis(50);
    Progress progress = new Progress(0.9, "from a worker that lost the job");

    var lost =
        store()
            .heartbeat(
                List.of(new Heartbeat(lease, progress, null)),
                now().plus(Duration.ofHours(1)),
                now());

    assertThat(lost).containsExactly(lease);
    assertThat(get(current.id())).as("a lost heartbeat changes nothing").isEqualTo(current);
  }
}
