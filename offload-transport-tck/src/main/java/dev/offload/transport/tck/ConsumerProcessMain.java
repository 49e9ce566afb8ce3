package dev.offload.transport.tck;

import dev.offload.JobTransports;
import dev.offload.spi.ConsumeRequest;
import dev.offload.spi.JobTransport;
import java.util.Set;

/**
 * A consumer in its own JVM for the SIGKILL test: {@code ConsumerProcessMain URL QUEUE CREDIT}
 * consumes and prints {@code got JOBID} for each delivery (flushed per line) and never settles one,
 * so when the test kills it every delivery it held must reach another consumer.
 */
public final class ConsumerProcessMain {
  private ConsumerProcessMain() {}

  public static void main(String[] args) throws InterruptedException {
    JobTransport transport = JobTransports.open(args[0]);
    transport.consume(
        new ConsumeRequest(Set.of(args[1]), Integer.parseInt(args[2])),
        d -> {
          System.out.println("got " + d.jobId());
          System.out.flush();
        });
    System.out.println("ready");
    System.out.flush();
    Thread.sleep(Long.MAX_VALUE); // held until the test kills this process
  }
}
