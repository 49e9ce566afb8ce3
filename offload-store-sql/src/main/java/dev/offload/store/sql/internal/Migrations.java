package dev.offload.store.sql.internal;

import dev.offload.StoreException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;
import org.flywaydb.core.api.configuration.FluentConfiguration;
import org.flywaydb.core.api.output.MigrateResult;

/**
 * Applies the versioned SQL migrations of a dialect with Flyway ({@code
 * classpath:dev/offload/store/sql/migration/<dialect>}), recording them in {@code
 * offload_schema_history}.
 *
 * <p>Opening a store whose schema is already current skips Flyway (one indexed query instead of
 * Flyway's class-path scan), which keeps worker start-up fast.
 */
public final class Migrations {
  /** Flyway's history table, named so it cannot clash with an application's own Flyway. */
  public static final String HISTORY_TABLE = "offload_schema_history";

  private Migrations() {}

  /** What a migration run did. */
  public record Outcome(String version, int applied) {}

  /** Migrates unless the schema is already at {@link Dialect#LATEST_SCHEMA_VERSION}. */
  static void migrate(Dialect dialect, DataSource pool) {
    if (!isCurrent(dialect, pool)) {
      run(dialect, pool);
    }
  }

  /** Runs Flyway. */
  static Outcome run(Dialect dialect, DataSource pool) {
    FluentConfiguration config =
        Flyway.configure(Migrations.class.getClassLoader())
            .dataSource(pool)
            .locations("classpath:dev/offload/store/sql/migration/" + dialect.kind().folder())
            .table(HISTORY_TABLE)
            .failOnMissingLocations(true);
    if (dialect.kind() == Dialect.Kind.POSTGRESQL) {
      String schema = dialect.url().schema();
      config.schemas(schema).defaultSchema(schema).createSchemas(true);
    }
    try {
      MigrateResult result = config.load().migrate();
      String version = result.targetSchemaVersion;
      if (version == null) {
        version = result.initialSchemaVersion;
      }
      return new Outcome(version, result.migrationsExecuted);
    } catch (FlywayException e) {
      throw new StoreException(
          "cannot migrate store '" + dialect.url().display() + "': " + e.getMessage(), e);
    }
  }

  static boolean isCurrent(Dialect dialect, DataSource pool) {
    String sql = "SELECT 1 FROM " + dialect.table(HISTORY_TABLE) + " WHERE version = ? AND success";
    try (Connection c = pool.getConnection();
        PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setString(1, Dialect.LATEST_SCHEMA_VERSION);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next();
      }
    } catch (SQLException e) {
      return false; // no history table yet: Flyway creates it
    }
  }
}
