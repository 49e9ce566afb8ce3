package dev.offload.transport.tck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.offload.InvalidInputException;
import dev.offload.JobId;
import dev.offload.JobTransports;
import dev.offload.spi.ConsumeRequest;
import dev.offload.spi.DeadLetter;
import dev.offload.spi.Delivery;
import dev.offload.spi.JobMessage;
import dev.offload.spi.JobTransport;
import dev.offload.spi.TransportConsumer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The one suite every {@link JobTransport} passes against its real broker. A subclass names the
 * broker ({@link #brokerUrl()}), publishes a raw message with the broker's own client ({@link
 * #publishRaw}) and restarts the broker ({@link #restartBroker()}). Each test runs under its own
 * {@code prefix}, so its queues never meet another test's, and deletes them afterwards.
 *
 * <p>The suite sets {@code max-deliveries=3} and {@code ack-timeout=2s} on the URL.
 */
public abstract class TransportContract extends TransportChecks {

  @Test
  void publishedMessagesArriveDecodedAndAckedOnesStayGone() {
    List<JobMessage> sent = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      sent.add(fullMessage(i));
    }
    transport.publish(sent);
    Recorder r = Recorder.acking();
    TransportConsumer c = consume(transport, 8, r);
    await().atMost(WAIT).until(() -> new HashSet<>(r.ids()).size() == 20);
    for (JobMessage m : sent) {
      Delivery d = r.deliveries().stream().filter(x -> x.jobId().equals(m.id())).findFirst().get();
      assertThat(d.message()).isEqualTo(m);
      assertThat(d.queue()).isEqualTo(QUEUE);
      assertThat(d.deliveryCount()).isEqualTo(1);
      assertThat(d.publishedAt())
          .isBetween(started.minusSeconds(60), Instant.now().plusSeconds(60));
    }
    c.close();
    Recorder again = Recorder.acking();
    consume(transport, 8, again);
    await().during(Duration.ofSeconds(1)).atMost(WAIT).until(() -> again.count() == 0);
    assertThat(r.count()).as("no redelivery while nothing failed").isEqualTo(20);
  }

  @Test
  void publishRefusesAMessageWithoutId() {
    JobMessage noId = fullMessage(0).withId(null);
    assertThatThrownBy(() -> transport.publish(List.of(noId)))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("id");
  }

  @Test
  void nackWithDelayComesBackNoSoonerAndCountsADelivery() {
    transport.publish(List.of(fullMessage(1)));
    Recorder r = Recorder.holding();
    consume(transport, 4, r);
    await().atMost(WAIT).until(() -> r.count() == 1);
    Instant nacked = Instant.now();
    r.nackAll(Duration.ofMillis(1500));
    await().atMost(WAIT).until(() -> r.count() == 2);
    Delivery second = r.deliveries().get(1);
    assertThat(Duration.between(nacked, Instant.now()))
        .isGreaterThanOrEqualTo(Duration.ofMillis(1400));
    assertThat(second.deliveryCount()).isEqualTo(2);
    assertThat(second.jobId()).isEqualTo(r.deliveries().get(0).jobId());
    assertThat(second.message()).isEqualTo(fullMessage(1));
    r.ackAll();
  }

  @Test
  void aShortDelayDoesNotWaitBehindALongOne() {
    transport.publish(List.of(fullMessage(1), fullMessage(2)));
    Recorder r = Recorder.holding();
    consume(transport, 4, r);
    await().atMost(WAIT).until(() -> r.count() == 2);
    List<Delivery> pair = r.held();
    pair.get(0).nack(Duration.ofSeconds(30));
    pair.get(1).nack(Duration.ofMillis(300));
    await().atMost(Duration.ofSeconds(10)).until(() -> r.count() == 3);
    assertThat(r.deliveries().get(2).jobId()).isEqualTo(pair.get(1).jobId());
    r.deliveries().get(2).ack();
  }

  @Test
  void deadLetteredAfterMaxDeliveries() {
    transport.publish(List.of(fullMessage(7)));
    Recorder r = Recorder.holding();
    consume(transport, 4, r);
    for (int n = 1; n <= 3; n++) {
      int want = n;
      await().atMost(WAIT).until(() -> r.count() == want);
      assertThat(r.deliveries().get(n - 1).deliveryCount()).isEqualTo(n);
      r.nackAll(Duration.ZERO);
    }
    await().atMost(WAIT).until(() -> !transport.deadLetters(QUEUE, 10).isEmpty());
    await().during(Duration.ofSeconds(1)).atMost(WAIT).until(() -> r.count() == 3);
    DeadLetter dl = transport.deadLetters(QUEUE, 10).get(0);
    assertThat(dl.deliveries()).isEqualTo(3);
    assertThat(dl.reason()).contains("3");
    assertThat(
            JobMessage.fromJson(dl.body().getBytes(StandardCharsets.UTF_8), QUEUE, Instant.now()))
        .isEqualTo(fullMessage(7));
  }

  @Test
  void deadLetterOnRequestKeepsTheReason() {
    transport.publish(List.of(fullMessage(8), fullMessage(9)));
    Recorder r = Recorder.holding();
    consume(transport, 4, r);
    await().atMost(WAIT).until(() -> r.count() == 2);
    Delivery bad = r.held().get(0);
    bad.deadLetter("input: no such field 'x'");
    r.held().get(1).ack();
    assertThatThrownBy(bad::ack).isInstanceOf(IllegalStateException.class);
    await().atMost(WAIT).until(() -> transport.deadLetters(QUEUE, 10).size() == 1);
    DeadLetter dl = transport.deadLetters(QUEUE, 10).get(0);
    assertThat(dl.reason()).isEqualTo("input: no such field 'x'");
    assertThat(dl.body()).contains(bad.jobId().toString());
    assertThat(transport.deadLetters(QUEUE, 10)).as("reading leaves them there").hasSize(1);
  }

  @Test
  void aMessageThatDoesNotDecodeIsParkedNotDelivered() throws Exception {
    publishRaw(
        prefix, QUEUE, "{\"task\": \"spin\", \"colour\": 1}".getBytes(StandardCharsets.UTF_8));
    publishRaw(prefix, QUEUE, "not json".getBytes(StandardCharsets.UTF_8));
    transport.publish(List.of(fullMessage(1)));
    Recorder r = Recorder.acking();
    consume(transport, 4, r);
    await().atMost(WAIT).until(() -> transport.deadLetters(QUEUE, 10).size() == 2);
    await().atMost(WAIT).until(() -> r.count() == 1);
    List<DeadLetter> parked = transport.deadLetters(QUEUE, 10);
    assertThat(parked).extracting(DeadLetter::reason).anyMatch(s -> s.contains("colour"));
    assertThat(parked).extracting(DeadLetter::body).contains("not json");
    await().during(Duration.ofMillis(500)).atMost(WAIT).until(() -> r.count() == 1);
  }

  @Test
  void aForeignMessageWithoutIdGetsOneThatSurvivesRedelivery() throws Exception {
    publishRaw(
        prefix,
        QUEUE,
        "{\"task\": \"spin\", \"input\": {\"ms\": 20}, \"priority\": 3, \"delay\": \"10s\", \"timeout\": 30}"
            .getBytes(StandardCharsets.UTF_8));
    Recorder r = Recorder.holding();
    consume(transport, 4, r);
    await().atMost(WAIT).until(() -> r.count() == 1);
    Delivery first = r.deliveries().get(0);
    JobMessage m = first.message();
    assertThat(m.id()).isEqualTo(first.jobId());
    assertThat(m.task()).isEqualTo("spin");
    assertThat(m.input()).as("input kept as written").isEqualTo("{\"ms\": 20}");
    assertThat(m.priority()).isEqualTo(3);
    assertThat(m.timeout()).isEqualTo(Duration.ofSeconds(30));
    assertThat(m.runAt()).isEqualTo(first.publishedAt().plusSeconds(10));
    assertThat(first.jobId().timestamp())
        .isEqualTo(first.publishedAt().truncatedTo(ChronoUnit.MILLIS));
    r.nackAll(Duration.ZERO);
    await().atMost(WAIT).until(() -> r.count() == 2);
    assertThat(r.deliveries().get(1).jobId()).isEqualTo(first.jobId());
    assertThat(r.deliveries().get(1).message()).isEqualTo(m);
    r.ackAll();
  }

  @Test
  void closingAConsumerHandsItsDeliveriesBackAtOnce() {
    transport.publish(messages(0, 5));
    Recorder r = Recorder.holding();
    TransportConsumer c = consume(transport, 5, r);
    await().atMost(WAIT).until(() -> r.count() == 5);
    c.close();
    Recorder other = Recorder.acking();
    consume(transport, 5, other);
    await().atMost(Duration.ofSeconds(15)).until(() -> new HashSet<>(other.ids()).size() == 5);
    assertThat(other.ids()).containsExactlyInAnyOrderElementsOf(r.ids());
    r.ackAll(); // after close: does nothing, and must not throw
  }

  @Test
  void aDroppedConnectionsDeliveriesGoToAnotherConsumer() throws Exception {
    try (TcpProxy proxy = openProxy();
        JobTransport viaProxy = JobTransports.open(withContractOptions(urlVia(proxy)))) {
      toClose.add(viaProxy);
      transport.publish(messages(0, 4));
      Recorder doomed = Recorder.holding();
      consume(viaProxy, 4, doomed);
      await().atMost(WAIT).until(() -> doomed.count() == 4);
      proxy.cut();
      Recorder survivor = Recorder.acking();
      consume(transport, 4, survivor);
      await()
          .atMost(redeliveryAfterDeath())
          .until(() -> new HashSet<>(survivor.ids()).containsAll(doomed.ids()));
    }
  }

  @Test
  void aKilledConsumerProcesssDeliveriesGoToAnotherConsumer(@TempDir Path dir) throws Exception {
    transport.publish(messages(0, 3));
    Path out = dir.resolve("consumer.out");
    String java = ProcessHandle.current().info().command().orElse("java");
    Process p =
        new ProcessBuilder(
                java,
                "-cp",
                System.getProperty("java.class.path"),
                ConsumerProcessMain.class.getName(),
                withContractOptions(brokerUrl()),
                QUEUE,
                "3")
            .redirectErrorStream(true)
            .redirectOutput(out.toFile())
            .start();
    try {
      await()
          .atMost(Duration.ofSeconds(60))
          .alias("the consumer process holds 3 deliveries")
          .until(() -> {
            String said = Files.exists(out) ? Files.readString(out) : "";
            if (!p.isAlive()) {
              throw new IllegalStateException("consumer process died: " + said);
            }
            return said.lines().filter(l -> l.startsWith("got ")).count() == 3;
          });
      Process kill = new ProcessBuilder("kill", "-KILL", Long.toString(p.pid())).start();
      assertThat(kill.waitFor(10, TimeUnit.SECONDS) && kill.exitValue() == 0).isTrue();
      assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
      Set<String> held = new HashSet<>();
      Files.readString(out)
          .lines()
          .filter(l -> l.startsWith("got "))
          .forEach(l -> held.add(l.substring(4)));
      Recorder survivor = Recorder.acking();
      consume(transport, 4, survivor);
      await()
          .atMost(redeliveryAfterDeath())
          .until(() -> survivor.ids().stream().map(JobId::toString).toList().containsAll(held));
      assertThat(held).hasSize(3);
    } finally {
      p.destroyForcibly();
    }
  }

  @Test
  void inProgressKeepsALongDeliveryWithItsConsumer() {
    transport.publish(List.of(fullMessage(1)));
    Recorder r = Recorder.holding();
    consume(transport, 1, r);
    await().atMost(WAIT).until(() -> r.count() == 1);
    Delivery d = r.held().get(0);
    Recorder other = Recorder.acking();
    consume(transport, 1, other);
    Instant until = Instant.now().plus(transport.ackTimeout().multipliedBy(3));
    await()
        .pollInterval(Duration.ofMillis(300))
        .atMost(transport.ackTimeout().multipliedBy(5))
        .until(() -> {
          d.inProgress();
          return Instant.now().isAfter(until);
        });
    assertThat(other.count()).as("nobody else got the long delivery").isZero();
    assertThat(r.count()).isEqualTo(1);
    r.ackAll();
    await().during(Duration.ofSeconds(1)).atMost(WAIT).until(() -> other.count() == 0);
  }

  @Test
  void anUnsettledDeliveryPastTheAckTimeoutMovesOnlyWhereTheBrokerHasOne() {
    transport.publish(List.of(fullMessage(1)));
    Recorder r = Recorder.holding();
    consume(transport, 1, r);
    await().atMost(WAIT).until(() -> r.count() == 1);
    Recorder other = Recorder.acking();
    consume(transport, 1, other);
    if (transport.capabilities().ackTimeout()) {
      await().atMost(transport.ackTimeout().multipliedBy(5)).until(() -> other.count() == 1);
      assertThat(other.deliveries().get(0).deliveryCount()).isEqualTo(2);
    } else {
      await()
          .during(transport.ackTimeout().multipliedBy(2))
          .atMost(transport.ackTimeout().multipliedBy(4))
          .until(() -> other.count() == 0 && r.count() == 1);
      r.ackAll();
    }
  }

  /**
   * With a 30 s ack timeout, a message lost between a consumer's pull requests would wait out the
   * whole timeout; each of these, published at uneven moments while the consumer idles, must arrive
   * within 10 s. (The NATS consumer once used fetches that closed their subscription on expiry and
   * dropped a message sent at that moment.)
   */
  @Test
  void messagesPublishedWhileAConsumerIdlesNeverWaitForRedelivery() {
    try (JobTransport slow =
        JobTransports.open(
            brokerUrl()
                + (brokerUrl().contains("?") ? "&" : "?")
                + "prefix="
                + prefix
                + "&ack-timeout=30s")) {
      Recorder r = Recorder.acking();
      TransportConsumer c = slow.consume(new ConsumeRequest(Set.of(QUEUE), 4), r);
      toClose.add(c);
      for (int i = 0; i < 12; i++) {
        JobMessage m = messages(i, 1).get(0);
        int want = i + 1;
        await().pollDelay(Duration.ofMillis(150 + 97L * (i % 10))).atMost(WAIT).until(() -> true);
        Instant sent = Instant.now();
        slow.publish(List.of(m));
        await().atMost(Duration.ofSeconds(10)).until(() -> r.count() >= want);
        assertThat(Duration.between(sent, Instant.now())).isLessThan(Duration.ofSeconds(10));
      }
      c.close();
    }
  }

  @Test
  void aConsumerNeverHoldsMoreThanItsCredit() {
    transport.publish(messages(0, 20));
    Recorder r = Recorder.holding();
    TransportConsumer c = consume(transport, 3, r);
    await().atMost(WAIT).until(() -> r.count() == 3);
    await().during(Duration.ofSeconds(1)).atMost(WAIT).until(() -> r.count() == 3);
    assertThat(c.unsettled()).isEqualTo(3);
    r.ackOne();
    await().atMost(WAIT).until(() -> r.count() == 4);
    await().during(Duration.ofMillis(500)).atMost(WAIT).until(() -> r.held().size() == 3);
    // Ack as they come until every message has arrived (held ones may come back after the ack
    // timeout where the broker has one: counted once).
    await()
        .atMost(WAIT)
        .until(() -> {
          r.ackAll();
          return new HashSet<>(r.ids()).size() == 20;
        });
    r.ackAll();
    assertThat(r.maxHeld()).as("never more than the credit held at once").isEqualTo(3);
  }

  @Test
  void workFansOutToEveryConsumer() {
    Recorder a = Recorder.acking();
    Recorder b = Recorder.acking();
    consume(transport, 2, a);
    consume(transport, 2, b);
    Set<JobId> sent = new HashSet<>();
    Instant deadline = Instant.now().plus(WAIT);
    int round = 0;
    while ((a.count() == 0 || b.count() == 0) && Instant.now().isBefore(deadline)) {
      List<JobMessage> batch = messages(round * 20, 20);
      transport.publish(batch);
      batch.forEach(m -> sent.add(m.id()));
      round++;
      await().atMost(WAIT).until(() -> a.count() + b.count() >= sent.size());
    }
    assertThat(a.count()).as("first consumer took part").isPositive();
    assertThat(b.count()).as("second consumer took part").isPositive();
    Set<JobId> got = new HashSet<>(a.ids());
    got.addAll(b.ids());
    assertThat(got).isEqualTo(sent);
  }

  @Test
  void higherPriorityFirstWhereTheBrokerHasPriorities() {
    List<JobMessage> low = messages(0, 10);
    List<JobMessage> high = messages(10, 10).stream().map(m -> m.withPriority(9)).toList();
    transport.publish(low);
    transport.publish(high);
    Recorder r = Recorder.acking();
    consume(transport, 1, r);
    await().atMost(WAIT).until(() -> r.count() == 20);
    List<JobId> ids = r.ids();
    if (transport.capabilities().priorities()) {
      assertThat(ids.subList(0, 10))
          .containsExactlyInAnyOrderElementsOf(high.stream().map(JobMessage::id).toList());
    }
    assertThat(new HashSet<>(ids)).hasSize(20);
  }

  @Test
  void publishOrderKeptWhereTheBrokerPromisesIt() {
    List<JobMessage> sent = messages(0, 30);
    for (JobMessage m : sent) {
      transport.publish(List.of(m));
    }
    Recorder r = Recorder.acking();
    consume(transport, 1, r);
    await().atMost(WAIT).until(() -> r.count() == 30);
    if (transport.capabilities().fifo()) {
      assertThat(r.ids()).containsExactlyElementsOf(sent.stream().map(JobMessage::id).toList());
    } else {
      assertThat(r.ids())
          .containsExactlyInAnyOrderElementsOf(sent.stream().map(JobMessage::id).toList());
    }
  }

  @Test
  void aSecondPublishOfOneJobIsDroppedWhereTheBrokerDeduplicates() {
    JobMessage m = fullMessage(5);
    transport.publish(List.of(m));
    transport.publish(List.of(m));
    Recorder r = Recorder.acking();
    consume(transport, 4, r);
    await().atMost(WAIT).until(() -> r.count() >= 1);
    if (transport.capabilities().deduplication()) {
      await().during(Duration.ofSeconds(1)).atMost(WAIT).until(() -> r.count() == 1);
    } else {
      await().atMost(WAIT).until(() -> r.count() == 2);
      assertThat(r.ids()).containsOnly(m.id());
    }
  }

  @Test
  void lagCountsWaitingMessagesAndDropsWhenTheyAreDone() {
    assertThat(transport.lag(QUEUE)).isZero();
    transport.publish(messages(0, 7));
    await().atMost(WAIT).until(() -> transport.lag(QUEUE) == 7);
    Recorder r = Recorder.acking();
    consume(transport, 4, r);
    await().atMost(WAIT).until(() -> r.count() == 7);
    await().atMost(WAIT).until(() -> transport.lag(QUEUE) == 0);
    assertThat(transport.lag("never-used-" + prefix)).isZero();
  }

  @Test
  void confirmedMessagesSurviveABrokerRestartAndClientsCarryOn() throws Exception {
    transport.publish(messages(0, 50));
    Recorder r = Recorder.acking();
    consume(transport, 8, r);
    await().atMost(WAIT).until(() -> r.count() == 50);
    transport.publish(messages(50, 50)); // confirmed, not yet all consumed when the broker goes
    restartBroker();
    await()
        .atMost(Duration.ofSeconds(90))
        .ignoreExceptions()
        .until(() -> {
          transport.publish(messages(100, 1));
          return true;
        });
    transport.publish(messages(101, 49));
    await().atMost(Duration.ofSeconds(90)).until(() -> new HashSet<>(r.ids()).size() == 150);
    assertThat(new HashSet<>(r.ids())).isEqualTo(idsOf(messages(0, 150)));
  }

  private static Set<JobId> idsOf(List<JobMessage> ms) {
    Set<JobId> ids = new HashSet<>();
    ms.forEach(m -> ids.add(m.id()));
    return ids;
  }
}
