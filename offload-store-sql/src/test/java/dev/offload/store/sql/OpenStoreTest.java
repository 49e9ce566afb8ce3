package dev.offload.store.sql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.offload.JobStores;
import dev.offload.StoreException;
import dev.offload.spi.JobStore;
import dev.offload.store.sql.internal.Dialect;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Opening by URL: the provider, migrations, and failing fast with the URL named. */
class OpenStoreTest {
  @TempDir Path dir;

  @Test
  void jobStoresOpensSqliteByUrlCreatingParentDirectories() {
    Path file = dir.resolve("a/b/offload.db");
    try (JobStore store = JobStores.open("sqlite:" + file)) {
      assertThat(store).isInstanceOf(SqlJobStore.class);
      assertThat(store.isHealthy()).isTrue();
    }
    assertThat(file).exists();
    try (JobStore store = JobStores.open("jdbc:sqlite:" + file)) {
      assertThat(store.isHealthy()).isTrue();
    }
  }

  @Test
  void migrateCreatesTheSchemaOnceThenReportsItCurrent() {
    String url = "sqlite:" + dir.resolve("m.db");
    SqlJobStore.Migration first = SqlJobStore.migrate(url);
    assertThat(first.applied()).isEqualTo(Integer.parseInt(Dialect.LATEST_SCHEMA_VERSION));
    assertThat(first.version()).isEqualTo(Dialect.LATEST_SCHEMA_VERSION);
    assertThat(SqlJobStore.migrate(url).applied()).isZero();
  }

  @Test
  void latestSchemaVersionIsTheNewestMigrationOfEachDialect() throws IOException {
    for (Dialect.Kind kind : Dialect.Kind.values()) {
      Path folder = Path.of("src/main/resources/dev/offload/store/sql/migration", kind.folder());
      try (Stream<Path> files = Files.list(folder)) {
        String newest =
            files
                .map(p -> p.getFileName().toString())
                .filter(n -> n.matches("V\\d+__.*\\.sql"))
                .map(n -> n.substring(1, n.indexOf("__")))
                .max(Comparator.comparingInt(Integer::parseInt))
                .orElseThrow();
        assertThat(newest).as(kind.folder()).isEqualTo(Dialect.LATEST_SCHEMA_VERSION);
      }
    }
  }

  @Test
  void anUnusableSqlitePathFailsNamingTheUrl() throws IOException {
    Path notADir = Files.writeString(dir.resolve("plain-file"), "x");
    String url = "sqlite:" + notADir.resolve("offload.db");
    assertThatThrownBy(() -> JobStores.open(url))
        .isInstanceOf(StoreException.class)
        .hasMessageContaining(url);
  }

  @Test
  @Tag("service")
  void anUnreachablePostgresFailsFastNamingTheUrlWithoutItsPassword() {
    String url = "postgresql://offload:hunter2@127.0.0.1:1/jobs";
    long start = System.nanoTime();
    assertThatThrownBy(() -> JobStores.open(url))
        .isInstanceOf(StoreException.class)
        .hasMessageContaining("postgresql://offload:***@127.0.0.1:1/jobs")
        .hasMessageNotContaining("hunter2");
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
  }

  @Test
  @Tag("service")
  void aBlackHoledHostFailsWithinTheConnectTimeout() {
    // A non-routable address: packets vanish, so only the connect timeout ends the attempt.
    String url = "postgresql://postgres@10.255.255.1:5432/test?connectTimeout=2";
    long start = System.nanoTime();
    assertThatThrownBy(() -> JobStores.open(url))
        .isInstanceOf(StoreException.class)
        .hasMessageContaining("10.255.255.1");
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(8));
  }

  @Test
  @Tag("service")
  void aMissingDatabaseFailsNamingTheUrl() {
    PgTestServer.assumeAvailable();
    String base = PgTestServer.BASE_URL;
    String url = base.replaceFirst("/[^/?]*(\\?|$)", "/offload_no_such_db$1");
    assertThatThrownBy(() -> JobStores.open(url))
        .isInstanceOf(StoreException.class)
        .hasMessageContaining("offload_no_such_db");
  }
}
