package dev.offload.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.offload.Offload;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/** A full pool answers 429 with Retry-After instead of queueing without bound. */
class BackPressureTest {
  @Test
  void aFullQueueIs429WithRetryAfter() throws Exception {
    try (Offload offload =
            Offload.builder()
                .tasks(TestTasks.registry())
                .threads(1)
                .queueCapacity(1)
                .workers(false)
                .build();
        ExecutorService callers = Executors.newVirtualThreadPerTaskExecutor()) {
      OffloadServer server = OffloadServer.builder(offload).port(0).build().start();
      try (RawHttp http = new RawHttp(server.url())) {
        List<Future<RawHttp.Answer>> answers = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
          answers.add(callers.submit(() -> http.post("/tasks/sleep/run", "{\"ms\": 600}")));
        }
        List<RawHttp.Answer> full = new ArrayList<>();
        int ok = 0;
        for (Future<RawHttp.Answer> f : answers) {
          RawHttp.Answer a = f.get();
          if (a.status() == 429) {
            full.add(a);
          } else {
            assertThat(a.status()).as(a.text()).isEqualTo(200);
            ok++;
          }
        }
        assertThat(ok).isGreaterThanOrEqualTo(1);
        assertThat(full).isNotEmpty();
        HttpApiTest.assertProblem(full.get(0), 429, "queue-full");
        assertThat(Integer.parseInt(full.get(0).header("Retry-After"))).isPositive();
      } finally {
        server.stop();
      }
    }
  }
}
