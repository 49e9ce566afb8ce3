package dev.offload.metrics;

import dev.offload.Offload;
import dev.offload.demo.DemoTasks;
import dev.offload.server.OffloadServer;

/**
 * A server with or without the metrics extension, for measuring what metrics cost a request: {@code
 * OverheadServer PORT with|without}, then load it with wrk (see docs/DASHBOARD.md).
 */
final class OverheadServer {
  private OverheadServer() {}

  public static void main(String[] args) throws InterruptedException {
    Offload offload = Offload.builder().tasks(DemoTasks.registry()).build();
    OffloadServer.Builder b =
        OffloadServer.builder(offload).port(Integer.parseInt(args[0])).discoverExtensions(false);
    if (args[1].equals("with")) {
      b.addExtension(new MetricsExtension());
    }
    b.build().start();
    System.out.println("ready");
    Thread.currentThread().join();
  }
}
