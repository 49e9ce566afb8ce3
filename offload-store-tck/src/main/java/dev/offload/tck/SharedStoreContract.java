package dev.offload.tck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.offload.Job;
import dev.offload.JobId;
import dev.offload.JobQuery;
import dev.offload.JobState;
import dev.offload.spi.ClaimRequest;
import dev.offload.spi.Completion;
import dev.offload.spi.EnqueueResult;
import dev.offload.spi.Heartbeat;
import dev.offload.spi.JobStore;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Two instances on the same data, as two processes would hold: what one does the other sees, an
 * enqueue on one wakes a waiter on the other, and claims and keys stay exclusive across them.
 * Skipped for stores that return no {@link JobStoreContract#openSecondInstance second instance}.
 */
abstract class SharedStoreContract extends ContractSupport {
  private JobStore other;

  SharedStoreContract(JobStoreContract owner) {
    super(owner);
  }

  @BeforeEach
  void openTheOtherInstance() throws Exception {
    other = secondInstance();
    assumeTrue(other != null, "this store cannot be shared (openSecondInstance returns null)");
  }

  @Test
  void eachInstanceSeesWhatTheOtherDid() {
    Job job = enqueue(queued().queue("q").build());
    assertThat(other.get(job.id())).contains(job);

    Job running =
        other
            .claim(new ClaimRequest(OTHER_WORKER, Set.of("q"), 1, now(), now().plus(LEASE)))
            .jobs()
            .get(0);
    assertThat(get(job.id())).isEqualTo(running);
    assertThat(
            store()
                .heartbeat(
                    List.of(new Heartbeat(running.lease(), null, now())),
                    now().plus(LEASE.multipliedBy(2)),
                    now()))
        .isEmpty();
    assertThat(other.get(job.id()).orElseThrow().state()).isEqualTo(JobState.RUNNING);
    assertThat(
            store()
                .complete(List.of(Completion.succeeded(running.lease(), now(), "\"done\"")), now()))
        .containsExactly(true);

    Job done = other.get(job.id()).orElseThrow();
    assertThat(done.state()).isEqualTo(JobState.SUCCEEDED);
    assertThat(done.result()).isEqualTo("\"done\"");
    assertThat(other.list(JobQuery.all()).items()).containsExactly(done);
    assertThat(other.counts()).isEqualTo(store().counts());
  }

  @Test
  void fencingHoldsAcrossInstances() {
    Job first = running();
    clock().advance(LEASE.plusMillis(1));
    assertThat(other.reapExpiredLeases(now(), 100)).extracting(Job::id).containsExactly(first.id());
    Job second =
        other
            .claim(
                new ClaimRequest(OTHER_WORKER, Set.of(first.queue()), 1, now(), now().plus(LEASE)))
            .jobs()
            .get(0);

    assertThat(
            store()
                .complete(List.of(Completion.succeeded(first.lease(), now(), "\"zombie\"")), now()))
        .containsExactly(false);
    assertThat(
            store()
                .heartbeat(
                    List.of(new Heartbeat(first.lease(), null, null)), now().plus(LEASE), now()))
        .containsExactly(first.lease());
    assertThat(get(first.id())).isEqualTo(second);
  }

  @Test
  void cancelOnOneInstanceIsLostOnTheHoldersInstance() {
    enqueue(queued().queue("q").build());
    Job running =
        other
            .claim(new ClaimRequest(OTHER_WORKER, Set.of("q"), 1, now(), now().plus(LEASE)))
            .jobs()
            .get(0);

    store().cancel(running.id(), now());

    assertThat(
            other.heartbeat(
                List.of(new Heartbeat(running.lease(), null, null)), now().plus(LEASE), now()))
        .containsExactly(running.lease());
  }

  @Test
  void enqueueOnOneInstanceWakesAWaiterOnTheOther() throws Exception {
    AwaitWorkContract.assertWokenBy(other, Set.of(), this::enqueueQueued);
  }

  @Test
  void claimersOnBothInstancesNeverShareAJob() throws Exception {
    List<Job> jobs = new ArrayList<>();
    for (int i = 0; i < 300; i++) {
      jobs.add(queued().priority(i % 2).build());
    }
    store().enqueueAll(jobs);
    Instant now = now();

    List<List<JobId>> perWorker =
        Races.runConcurrently(
            4,
            worker -> {
              JobStore mine = worker % 2 == 0 ? store() : other;
              List<JobId> got = new ArrayList<>();
              while (true) {
                List<Job> batch =
                    mine.claim(new ClaimRequest("w" + worker, Set.of(), 5, now, now.plus(LEASE)))
                        .jobs();
                if (batch.isEmpty()) {
                  return got;
                }
                batch.forEach(j -> got.add(j.id()));
              }
            });

    List<JobId> claimed = perWorker.stream().flatMap(List::stream).toList();
    assertThat(claimed).doesNotHaveDuplicates();
    assertThat(claimed).containsExactlyInAnyOrderElementsOf(jobs.stream().map(Job::id).toList());
  }

  @Test
  void oneKeyCreatesOneJobAcrossInstances() throws Exception {
    int keys = 30;

    List<List<EnqueueResult>> perThread =
        Races.runConcurrently(
            4,
            thread -> {
              JobStore mine = thread % 2 == 0 ? store() : other;
              List<EnqueueResult> results = new ArrayList<>();
              for (int k = 0; k < keys; k++) {
                results.add(mine.enqueue(queued().idempotencyKey("shared-" + k).build()));
              }
              return results;
            });

    for (int k = 0; k < keys; k++) {
      int key = k;
      List<EnqueueResult> forKey = perThread.stream().map(r -> r.get(key)).toList();
      assertThat(forKey).filteredOn(EnqueueResult::created).as("shared-%d", k).hasSize(1);
      assertThat(forKey.stream().map(r -> r.job().id()).collect(Collectors.toSet())).hasSize(1);
    }
  }
}
