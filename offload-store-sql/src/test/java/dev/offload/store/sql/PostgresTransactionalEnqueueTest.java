package dev.offload.store.sql;

import static dev.offload.store.sql.Jobs.job;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.offload.Job;
import dev.offload.spi.ClaimRequest;
import dev.offload.spi.ClaimResult;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Transactional enqueue: the job is written inside the application's own JDBC transaction, next to
 * its business rows, and exists (and wakes workers) only if that transaction commits.
 */
@Tag("service")
class PostgresTransactionalEnqueueTest {
  private String schema;
  private String url;
  private SqlJobStore store;

  @BeforeEach
  void open() throws Exception {
    PgTestServer.assumeAvailable();
    schema = PgTestServer.newSchema("txn");
    url = PgTestServer.url(schema);
    store = SqlJobStore.open(url);
    try (Connection c = PgTestServer.connect(url);
        Statement s = c.createStatement()) {
      s.execute("CREATE TABLE \"" + schema + "\".orders (id text PRIMARY KEY)");
    }
  }

  @AfterEach
  void close() {
    if (store != null) {
      store.close();
    }
    if (schema != null) {
      PgTestServer.dropSchema(schema);
    }
  }

  @Test
  void aCommittedTransactionStoresTheJobAndWakesAWorker() throws Exception {
    Job job = job().at(Instant.now());
    try (SqlJobStore worker = SqlJobStore.open(url);
        ExecutorService exec = Executors.newSingleThreadExecutor();
        Connection app = PgTestServer.connect(url)) {
      // The application's connection, with a search_path of its own: the store names its tables.
      try (Statement s = app.createStatement()) {
        s.execute("SET search_path TO public");
      }
      app.setAutoCommit(false);
      insertOrder(app, "order-1");
      assertThat(store.enqueue(app, job).created()).isTrue();
      assertThat(store.get(job.id())).as("invisible before commit").isEmpty();

      // The worker found nothing; the mark of that claim goes to a wait on another thread.
      Instant now = Instant.now();
      ClaimResult empty =
          worker.claim(new ClaimRequest("w", Set.of(), 1, now, now.plusSeconds(30)));
      assertThat(empty.jobs()).isEmpty();
      CountDownLatch waiting = new CountDownLatch(1);
      Future<Boolean> woke =
          exec.submit(() -> {
            waiting.countDown();
            return worker.awaitWork(Set.of(), empty.wakeMark(), Duration.ofSeconds(20));
          });
      assertThat(waiting.await(5, TimeUnit.SECONDS)).isTrue();
      await()
          .alias("no wake-up before commit")
          .during(Duration.ofMillis(300))
          .atMost(Duration.ofSeconds(1))
          .until(() -> !woke.isDone());

      app.commit();
      assertThat(woke.get(5, TimeUnit.SECONDS)).isTrue();
      assertThat(store.get(job.id())).contains(job);
      assertThat(orders()).isEqualTo(1);
    }
  }

  @Test
  void aRolledBackTransactionLeavesNoJob() throws Exception {
    Job job = job().key("order-2").at(Instant.now());
    try (Connection app = PgTestServer.connect(url)) {
      app.setAutoCommit(false);
      insertOrder(app, "order-2");
      store.enqueueAll(app, java.util.List.of(job));
      app.rollback();
    }
    assertThat(store.get(job.id())).isEmpty();
    assertThat(orders()).isZero();
    // The key was never taken: the same key enqueues afresh.
    assertThat(store.enqueue(job().key("order-2").at(Instant.now())).created()).isTrue();
  }

  private void insertOrder(Connection c, String id) throws Exception {
    try (var ps = c.prepareStatement("INSERT INTO \"" + schema + "\".orders (id) VALUES (?)")) {
      ps.setString(1, id);
      ps.executeUpdate();
    }
  }

  private int orders() throws Exception {
    try (Connection c = PgTestServer.connect(url);
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT count(*) FROM \"" + schema + "\".orders")) {
      rs.next();
      return rs.getInt(1);
    }
  }
}
