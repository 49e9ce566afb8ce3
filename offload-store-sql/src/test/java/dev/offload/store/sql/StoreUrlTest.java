package dev.offload.store.sql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.offload.InvalidInputException;
import dev.offload.store.sql.internal.Dialect;
import dev.offload.store.sql.internal.StoreUrl;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class StoreUrlTest {
  @Test
  void sqlitePathsAndTheDefaultFile() {
    StoreUrl url = StoreUrl.parse("sqlite:./data/jobs.db");
    assertThat(url.dialect()).isEqualTo(Dialect.Kind.SQLITE);
    assertThat(url.file()).isEqualTo(Path.of("data/jobs.db").toAbsolutePath());
    assertThat(url.jdbcUrl()).isEqualTo("jdbc:sqlite:" + url.file());

    assertThat(StoreUrl.parse("sqlite:").file())
        .isEqualTo(Path.of("offload-data/offload.db").toAbsolutePath());
    assertThat(StoreUrl.parse("sqlite:///tmp/a.db").file()).isEqualTo(Path.of("/tmp/a.db"));
    assertThat(StoreUrl.parse("jdbc:sqlite:/tmp/b.db").file()).isEqualTo(Path.of("/tmp/b.db"));
    assertThat(StoreUrl.parse("sqlite:/tmp/c.db?poolSize=2").poolSize()).isEqualTo(2);
  }

  @Test
  void postgresFormsGiveOneDriverUrlAndSeparateCredentials() {
    StoreUrl url = StoreUrl.parse("postgresql://app:s%40cret@db.example:6543/jobs?sslmode=disable");
    assertThat(url.dialect()).isEqualTo(Dialect.Kind.POSTGRESQL);
    assertThat(url.user()).isEqualTo("app");
    assertThat(url.password()).isEqualTo("s@cret");
    assertThat(url.jdbcUrl())
        .isEqualTo("jdbc:postgresql://db.example:6543/jobs?sslmode=disable&connectTimeout=5");
    assertThat(url.schema()).isEqualTo("public");
    assertThat(url.display())
        .isEqualTo("postgresql://app:***@db.example:6543/jobs?sslmode=disable");

    StoreUrl shortForm = StoreUrl.parse("postgres://app@localhost/jobs?currentSchema=offload");
    assertThat(shortForm.jdbcUrl())
        .isEqualTo("jdbc:postgresql://localhost:5432/jobs?currentSchema=offload&connectTimeout=5");
    assertThat(shortForm.schema()).isEqualTo("offload");
    assertThat(shortForm.password()).isNull();

    StoreUrl jdbc =
        StoreUrl.parse("jdbc:postgresql://h:5433/d?user=u&password=p&connectTimeout=2&poolSize=3");
    assertThat(jdbc.user()).isEqualTo("u");
    assertThat(jdbc.password()).isEqualTo("p");
    assertThat(jdbc.poolSize()).isEqualTo(3);
    assertThat(jdbc.jdbcUrl()).isEqualTo("jdbc:postgresql://h:5433/d?connectTimeout=2");
    assertThat(jdbc.display()).doesNotContain("password=p");
  }

  @Test
  void badUrlsFailWithTheUrlMasked() {
    assertThatThrownBy(() -> StoreUrl.parse("mysql://u:pw@h/db"))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("mysql://u:***@h/db")
        .hasMessageNotContaining("pw@");
    assertThatThrownBy(() -> StoreUrl.parse("sqlite:/tmp/x.db?cache=big"))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("unknown option 'cache'");
    assertThatThrownBy(() -> StoreUrl.parse("postgresql://u@h/db?poolSize=0"))
        .hasMessageContaining("poolSize");
    assertThatThrownBy(() -> StoreUrl.parse("postgresql://u@h/db?currentSchema=a;drop"))
        .hasMessageContaining("currentSchema");
    assertThatThrownBy(() -> StoreUrl.parse("jdbc:sqlite::memory:"))
        .hasMessageContaining("in-memory");
  }
}
