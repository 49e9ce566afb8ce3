package dev.offload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.offload.demo.DemoTasks;
import dev.offload.spi.JobStore;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * Subscribers see a job's events in the order the store changed it, even when the thread that wrote
 * a completion is slow to publish and a worker has meanwhile claimed the job's next attempt.
 */
class EventOrderTest {
  @Test
  void aRetryIsReportedBeforeItsNextAttemptStartsEvenWhenTheWriterIsSlowToPublish()
      throws Exception {
    JobStore real = JobStores.inMemory();
    // complete() returns 300 ms after its write took effect: the window in which the dispatcher
    // can claim the retry (due after a 1 ms backoff) and publish "running" first.
    JobStore slowToReport =
        (JobStore)
            Proxy.newProxyInstance(
                JobStore.class.getClassLoader(),
                new Class<?>[] {JobStore.class},
                (proxy, method, args) -> {
                  try {
                    Object result = method.invoke(real, args);
                    if (method.getName().equals("complete")) {
                      Thread.sleep(300);
                    }
                    return result;
                  } catch (InvocationTargetException e) {
                    throw e.getCause();
                  }
                });
    List<String> seen = new CopyOnWriteArrayList<>();
    try (Offload offload =
        Offload.builder()
            .tasks(DemoTasks.registry())
            .store(slowToReport)
            .pollInterval(Duration.ofMillis(10))
            .defaultBackoff(Backoff.of(Duration.ofMillis(1), Duration.ofMillis(1)))
            .build()) {
      offload.subscribe(e -> seen.add(e.state().wireName() + "#" + e.attempt()));
      Job job = offload.submit(JobSpec.of("flaky", new DemoTasks.FlakyInput(1)).maxAttempts(2));
      await().atMost(Duration.ofSeconds(10)).until(() -> seen.contains("succeeded#2"));
      assertThat(offload.job(job.id()).attempts()).isEqualTo(2);
    }
    assertThat(seen)
        .containsSubsequence("queued#0", "running#1", "scheduled#1", "running#2", "succeeded#2");
  }
}
