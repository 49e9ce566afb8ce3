package dev.offload.dashboard;

import dev.offload.Backoff;
import dev.offload.Offload;
import dev.offload.demo.DemoTasks;
import dev.offload.server.OffloadServer;
import java.time.Duration;
import java.time.InstantSource;

/** A real server on a free port: in-memory store, the demo tasks, the dashboard. */
final class DemoServer implements AutoCloseable {
  final Offload offload;
  final OffloadServer server;

  DemoServer(InstantSource dashboardClock) {
    this(dashboardClock, 0);
  }

  DemoServer(InstantSource dashboardClock, int port) {
    offload =
        Offload.builder()
            .tasks(DemoTasks.registry())
            .threads(2)
            .pollInterval(Duration.ofMillis(20))
            .shutdownGrace(Duration.ofMillis(200))
            .defaultBackoff(Backoff.of(Duration.ofMillis(20), Duration.ofMillis(50)))
            .build();
    server =
        OffloadServer.builder(offload)
            .port(port)
            .discoverExtensions(false)
            .addExtension(new DashboardExtension(dashboardClock))
            .build()
            .start();
  }

  DemoServer() {
    this(InstantSource.system());
  }

  /**
   * Runs a demo server for trying the dashboard by hand (args: port, default 8080), e.g. from the
   * test class path: {@code java -cp ... dev.offload.dashboard.DemoServer 8080}.
   */
  public static void main(String[] args) throws InterruptedException {
    DemoServer demo =
        new DemoServer(InstantSource.system(), args.length > 0 ? Integer.parseInt(args[0]) : 8080);
    System.out.println("dashboard at " + demo.url() + "/");
    Thread.currentThread().join();
  }

  String url() {
    return server.url();
  }

  @Override
  public void close() {
    server.stop();
    offload.close();
  }
}
