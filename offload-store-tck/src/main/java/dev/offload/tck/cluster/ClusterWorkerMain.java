package dev.offload.tck.cluster;

import dev.offload.Offload;
import dev.offload.TaskRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;

/**
 * One worker process of a {@link ClusterContract} run: a real Offload engine on the shared store,
 * running {@link ClusterTasks#RECORD} and appending one line per attempt it ran to its own file.
 *
 * <p>Arguments: {@code storeUrl recordFile concurrency leaseMillis}. Runs until killed or until
 * stdin closes (then it shuts down gracefully).
 */
public final class ClusterWorkerMain {
  private ClusterWorkerMain() {}

  public static void main(String[] args) throws Exception {
    String storeUrl = args[0];
    Path record = Path.of(args[1]);
    int concurrency = Integer.parseInt(args[2]);
    Duration lease = Duration.ofMillis(Long.parseLong(args[3]));
    ClusterTasks.recordTo(record);
    CountDownLatch stop = new CountDownLatch(1);
    try (Offload offload =
        Offload.builder()
            .tasks(TaskRegistry.of(ClusterTasks.RECORD))
            .storeUrl(storeUrl)
            .threads(concurrency)
            .workerConcurrency(concurrency)
            .leaseDuration(lease)
            .pollInterval(lease.dividedBy(4))
            .shutdownGrace(Duration.ofSeconds(5))
            .build()) {
      System.out.println("ready");
      System.out.flush();
      Thread.ofVirtual()
          .start(() -> {
            try {
              while (System.in.read() >= 0) {
                // Wait for the parent to close our stdin (or die).
              }
            } catch (IOException e) {
              // Parent gone.
            }
            stop.countDown();
          });
      stop.await();
    }
    ClusterTasks.flush();
    Files.writeString(record.resolveSibling(record.getFileName() + ".done"), "ok");
  }
}
