package dev.offload.cli.internal;

import java.util.concurrent.CountDownLatch;

/**
 * Blocks a long-running command (serve, worker, seed-api) until SIGTERM/Ctrl-C, then runs its
 * graceful stop exactly once; an interrupt of the waiting thread (tests) stops it the same way.
 */
public final class UntilStopped {
  private UntilStopped() {}

  public static void await(Runnable stop) {
    CountDownLatch stopped = new CountDownLatch(1);
    Runnable once =
        new Runnable() {
          private boolean done;

          @Override
          public synchronized void run() {
            if (!done) {
              done = true;
              try {
                stop.run();
              } finally {
                stopped.countDown();
              }
            }
          }
        };
    Thread hook = Thread.ofPlatform().name("offload-shutdown").unstarted(once);
    Runtime.getRuntime().addShutdownHook(hook);
    try {
      stopped.await();
    } catch (InterruptedException e) {
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException shuttingDown) {
        // the JVM is exiting and runs the hook itself
      }
      once.run();
    }
  }
}
