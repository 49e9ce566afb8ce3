package dev.offload.tck;

import static org.assertj.core.api.Assertions.assertThat;

import dev.offload.WorkerInfo;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Worker presence, and the health check. */
abstract class WorkerRegistryContract extends ContractSupport {
  WorkerRegistryContract(JobStoreContract owner) {
    super(owner);
  }

  @Test
  void registeredWorkersAreListedAsGiven() {
    WorkerInfo a = worker("a", now(), 4, Set.of("mail", "pdf"));
    WorkerInfo b = worker("b", now(), 1, Set.of());

    store().registerWorker(a);
    store().registerWorker(b);

    assertThat(store().workers(now())).containsExactlyInAnyOrder(a, b);
  }

  @Test
  void workersAreThoseThatReportedAtOrAfterSince() {
    Instant t0 = now();
    WorkerInfo old = worker("old", t0, 2, Set.of());
    WorkerInfo fresh = worker("fresh", t0.plusSeconds(10), 2, Set.of());
    store().registerWorker(old);
    store().registerWorker(fresh);

    assertThat(store().workers(t0)).containsExactlyInAnyOrder(old, fresh);
    assertThat(store().workers(t0.plusMillis(1))).containsExactly(fresh);
    assertThat(store().workers(t0.plusSeconds(10))).containsExactly(fresh);
    assertThat(store().workers(t0.plusSeconds(11))).isEmpty();
  }

  @Test
  void registeringAgainUpdatesTheWorker() {
    WorkerInfo first = worker("w", now(), 4, Set.of("q"));
    store().registerWorker(first);
    Instant later = clock().advance(Duration.ofSeconds(15));
    WorkerInfo update =
        new WorkerInfo("w", first.host(), first.pid(), 4, 3, Set.of("q"), first.startedAt(), later);

    store().registerWorker(update);

    assertThat(store().workers(first.lastHeartbeatAt())).containsExactly(update);
  }

  @Test
  void unregisteredWorkerIsGone() {
    WorkerInfo a = worker("a", now(), 1, Set.of());
    WorkerInfo b = worker("b", now(), 1, Set.of());
    store().registerWorker(a);
    store().registerWorker(b);

    store().unregisterWorker("a");
    store().unregisterWorker("never-registered");

    assertThat(store().workers(now().minusSeconds(60))).containsExactly(b);
  }

  @Test
  void freshStoreIsHealthyAndHasNoWorkers() {
    assertThat(store().isHealthy()).isTrue();
    assertThat(store().workers(Instant.EPOCH)).isEmpty();
  }

  private static WorkerInfo worker(String id, Instant at, int concurrency, Set<String> queues) {
    return new WorkerInfo(id, "host-" + id, 4242, concurrency, 0, queues, at.minusSeconds(30), at);
  }
}
