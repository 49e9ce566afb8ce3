package dev.offload.transport.tck;

import dev.offload.JobId;
import dev.offload.JobTransports;
import dev.offload.spi.ConsumeRequest;
import dev.offload.spi.JobMessage;
import dev.offload.spi.JobTransport;
import dev.offload.spi.TransportConsumer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * Transport-level throughput: {@code TransportBench URL [JOBS] [CREDIT] [ROUNDS]} (run by {@code
 * bin/bench-transport}). Each round, in a fresh prefix: publishes JOBS no-op job messages in
 * batches of 500 (confirmed), drains that backlog with one consumer of CREDIT that acks each
 * delivery as it arrives, then publishes JOBS more while a consumer drains them (pipelined). Prints
 * one JSON line per round; no store and no task runs, so this is the broker's share of a job's
 * cost.
 */
public final class TransportBench {
  private TransportBench() {}

  public static void main(String[] args) throws Exception {
    String url = args[0];
    int jobs = args.length > 1 ? Integer.parseInt(args[1]) : 20_000;
    int credit = args.length > 2 ? Integer.parseInt(args[2]) : 256;
    int rounds = args.length > 3 ? Integer.parseInt(args[3]) : 3;
    for (int round = 1; round <= rounds; round++) {
      String prefix =
          "bench" + Long.toHexString(ThreadLocalRandom.current().nextLong() & 0xFFFFFFFFL);
      try (JobTransport t =
          JobTransports.open(url + (url.contains("?") ? "&" : "?") + "prefix=" + prefix)) {
        try {
          long t0 = System.nanoTime();
          publish(t, jobs);
          long t1 = System.nanoTime();
          drain(t, jobs, credit, false);
          long t2 = System.nanoTime();
          drain(t, jobs, credit, true);
          long t3 = System.nanoTime();
          System.out.printf(
              Locale.ROOT,
              "{\"broker\":\"%s\",\"round\":%d,\"jobs\":%d,\"credit\":%d,\"publishPerSec\":%.0f,"
                  + "\"drainPerSec\":%.0f,\"pipelinedPerSec\":%.0f}%n",
              t.describe(),
              round,
              jobs,
              credit,
              rate(jobs, t1 - t0),
              rate(jobs, t2 - t1),
              rate(jobs, t3 - t2));
        } finally {
          t.deleteQueue("bench");
        }
      }
    }
  }

  private static double rate(int jobs, long nanos) {
    return jobs / (nanos / 1e9);
  }

  private static void publish(JobTransport t, int jobs) {
    List<JobMessage> batch = new ArrayList<>(500);
    for (int i = 0; i < jobs; i++) {
      batch.add(
          JobMessage.of(JobId.newId(Instant.now()), "noop", "{\"i\":" + i + "}")
              .withQueue("bench"));
      if (batch.size() == 500 || i == jobs - 1) {
        t.publish(batch);
        batch.clear();
      }
    }
  }

  private static void drain(JobTransport t, int jobs, int credit, boolean publishMeanwhile)
      throws InterruptedException {
    CountDownLatch done = new CountDownLatch(jobs);
    TransportConsumer c =
        t.consume(
            new ConsumeRequest(Set.of("bench"), credit),
            d -> {
              d.ack();
              done.countDown();
            });
    try {
      if (publishMeanwhile) {
        publish(t, jobs);
      }
      if (!done.await(10, TimeUnit.MINUTES)) {
        throw new IllegalStateException(done.getCount() + " of " + jobs + " jobs never arrived");
      }
    } finally {
      c.close();
    }
  }
}
