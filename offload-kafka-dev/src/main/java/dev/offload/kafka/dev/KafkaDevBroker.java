package dev.offload.kafka.dev;

import java.io.IOException;
import java.io.PrintStream;
import java.io.Writer;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import java.util.UUID;

/**
 * A real single-node Kafka broker (KRaft: broker and controller in one process) for tests and for
 * trying Offload with Kafka: {@code KafkaDevBroker PORT [DATA_DIR] [ADVERTISED_PORT]}. Listens on
 * 127.0.0.1:PORT (plaintext, no auth), keeps its log in DATA_DIR (formatted on first start, reused
 * after, so a restart keeps every message), prints {@code ready kafka://127.0.0.1:PORT} once it
 * takes connections, and runs in the foreground until killed.
 *
 * <p>With ADVERTISED_PORT a second listener on PORT+1 is advertised as 127.0.0.1:ADVERTISED_PORT,
 * for a test's TCP proxy to sit in front of (see TransportContract's dropped-connection test).
 *
 * <p>Settings are those of a one-node development cluster: replication factor 1, no fsync per
 * message (the OS flushes; a machine crash can lose the last seconds), short group timeouts.
 */
public final class KafkaDevBroker {
  private KafkaDevBroker() {}

  public static void main(String[] args) throws IOException {
    if (args.length < 1 || args.length > 3) {
      System.err.println("usage: kafka-dev PORT [DATA_DIR] [ADVERTISED_PORT]");
      System.exit(2);
    }
    int port = Integer.parseInt(args[0]);
    Path data = args.length > 1 ? Path.of(args[1]) : Files.createTempDirectory("offload-kafka-");
    Integer advertised = args.length > 2 ? Integer.valueOf(args[2]) : null;
    Files.createDirectories(data);
    Path config = data.resolve("server.properties");
    Path logs = data.resolve("log");
    if (!Files.exists(config)) {
      writeConfig(config, port, freePort(), logs, advertised);
    }
    if (!Files.exists(logs.resolve("meta.properties"))) {
      int rc =
          kafka.tools.StorageTool.execute(
              new String[] {
                "format", "--cluster-id=" + uuid(), "--config=" + config, "--ignore-formatted"
              },
              new PrintStream(System.err, true, StandardCharsets.UTF_8));
      if (rc != 0) {
        System.err.println("kafka-dev: formatting " + logs + " failed (" + rc + ")");
        System.exit(1);
      }
    }
    Runtime.getRuntime()
        .addShutdownHook(new Thread(() -> System.err.println("kafka-dev: stopping")));
    Thread.ofPlatform().daemon().name("kafka-dev-ready").start(() -> announceWhenListening(port));
    kafka.Kafka.main(new String[] {config.toString()});
  }

  private static void writeConfig(
      Path file, int port, int controllerPort, Path logs, Integer advertised) throws IOException {
    Properties p = new Properties();
    p.setProperty("process.roles", "broker,controller");
    p.setProperty("node.id", "1");
    p.setProperty("controller.quorum.voters", "1@127.0.0.1:" + controllerPort);
    p.setProperty("controller.listener.names", "CONTROLLER");
    String listeners =
        "PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort;
    String adv = "PLAINTEXT://127.0.0.1:" + port;
    String map = "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT";
    if (advertised != null) {
      listeners += ",PROXIED://127.0.0.1:" + (port + 1);
      adv += ",PROXIED://127.0.0.1:" + advertised;
      map += ",PROXIED:PLAINTEXT";
    }
    p.setProperty("listeners", listeners);
    p.setProperty("advertised.listeners", adv);
    p.setProperty("listener.security.protocol.map", map);
    p.setProperty("inter.broker.listener.name", "PLAINTEXT");
    p.setProperty("log.dirs", logs.toString());
    p.setProperty("num.partitions", "2");
    p.setProperty("offsets.topic.replication.factor", "1");
    p.setProperty("offsets.topic.num.partitions", "4");
    p.setProperty("transaction.state.log.replication.factor", "1");
    p.setProperty("transaction.state.log.min.isr", "1");
    p.setProperty("share.coordinator.state.topic.replication.factor", "1");
    p.setProperty("share.coordinator.state.topic.min.isr", "1");
    p.setProperty("group.initial.rebalance.delay.ms", "0");
    p.setProperty("group.min.session.timeout.ms", "1000");
    p.setProperty("auto.create.topics.enable", "false");
    p.setProperty("log.flush.interval.messages", Long.toString(Long.MAX_VALUE));
    try (Writer w = Files.newBufferedWriter(file)) {
      p.store(w, "kafka-dev: one-node KRaft broker for development and tests");
    }
  }

  private static void announceWhenListening(int port) {
    while (true) {
      try (java.net.Socket s = new java.net.Socket("127.0.0.1", port)) {
        System.out.println("ready kafka://127.0.0.1:" + port);
        System.out.flush();
        return;
      } catch (IOException e) {
        try {
          Thread.sleep(100);
        } catch (InterruptedException ie) {
          return;
        }
      }
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  /** A Kafka cluster id: 16 random bytes, URL-safe base64 without padding. */
  private static String uuid() {
    UUID u = UUID.randomUUID();
    java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(16);
    b.putLong(u.getMostSignificantBits()).putLong(u.getLeastSignificantBits());
    return java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(b.array());
  }
}
