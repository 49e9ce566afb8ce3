package dev.offload.tck.memory;

import dev.offload.JobStores;
import dev.offload.spi.JobStore;
import dev.offload.tck.JobStoreContract;
import java.time.InstantSource;

/**
 * The in-memory store against the full contract. It cannot be shared between processes, but the
 * shared-store tests still run against a second handle on the same object, so they are exercised
 * (not skipped) here too.
 */
class InMemoryJobStoreContractTest extends JobStoreContract {
  @Override
  protected JobStore createStore(InstantSource clock) {
    return JobStores.inMemory();
  }

  @Override
  protected JobStore openSecondInstance(InstantSource clock) {
    return new SecondHandle(store());
  }
}
