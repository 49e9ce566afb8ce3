package dev.offload.tck.memory;

import dev.offload.JobStores;
import dev.offload.spi.JobStore;
import dev.offload.tck.JobStoreContract;
import java.time.InstantSource;

/** The in-memory store against the full contract. */
class InMemoryJobStoreContractTest extends JobStoreContract {
  @Override
  protected JobStore createStore(InstantSource clock) {
    return JobStores.inMemory();
  }
}
