package dev.offload.tck;

import static org.assertj.core.api.Assertions.assertThat;

import dev.offload.Job;
import org.junit.jupiter.api.Test;

abstract class EnqueueContract extends ContractSupport {
  EnqueueContract(JobStoreContract owner) {
    super(owner);
  }

  @Test
  void enqueuedJobCanBeRead() {
    Job job = enqueueQueued();
    assertThat(get(job.id())).isEqualTo(job);
  }
}
