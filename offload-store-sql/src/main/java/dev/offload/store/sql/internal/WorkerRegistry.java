package dev.offload.store.sql.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.offload.WorkerInfo;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** The {@code offload_workers} table: workers upsert themselves, anyone lists the live ones. */
final class WorkerRegistry {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Db db;
  private final JobSql sql;

  WorkerRegistry(Db db, JobSql sql) {
    this.db = db;
    this.sql = sql;
  }

  void register(WorkerInfo w) {
    String queues;
    try {
      queues = JSON.writeValueAsString(new java.util.TreeSet<>(w.queues()));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write queue names as JSON", e);
    }
    db.statement(
        "register worker",
        c -> {
          try (PreparedStatement ps = c.prepareStatement(sql.upsertWorker)) {
            ps.setString(1, w.id());
            JobRows.setString(ps, 2, w.host());
            ps.setLong(3, w.pid());
            ps.setInt(4, w.concurrency());
            ps.setInt(5, w.running());
            ps.setString(6, queues);
            JobRows.setLong(ps, 7, JobRows.nanos(w.startedAt()));
            JobRows.setLong(ps, 8, JobRows.nanos(w.lastHeartbeatAt()));
            return ps.executeUpdate();
          }
        });
  }

  void unregister(String workerId) {
    db.statement(
        "unregister worker",
        c -> {
          try (PreparedStatement ps = c.prepareStatement(sql.deleteWorker)) {
            ps.setString(1, workerId);
            return ps.executeUpdate();
          }
        });
  }

  List<WorkerInfo> since(Instant since) {
    return db.read(
        "list workers",
        c -> {
          List<WorkerInfo> found = new ArrayList<>();
          try (PreparedStatement ps = c.prepareStatement(sql.workersSince)) {
            ps.setLong(1, JobRows.nanos(since));
            try (ResultSet rs = ps.executeQuery()) {
              while (rs.next()) {
                found.add(
                    new WorkerInfo(
                        rs.getString(1),
                        rs.getString(2),
                        rs.getLong(3),
                        rs.getInt(4),
                        rs.getInt(5),
                        queues(rs.getString(6)),
                        instantOrNull(rs, 7),
                        instantOrNull(rs, 8)));
              }
            }
          }
          return found;
        });
  }

  private static Set<String> queues(String json) {
    try {
      return new LinkedHashSet<>(JSON.readValue(json, new TypeReference<List<String>>() {}));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("bad queue list in offload_workers: " + json, e);
    }
  }

  private static Instant instantOrNull(ResultSet rs, int index) throws SQLException {
    long v = rs.getLong(index);
    return rs.wasNull() ? null : Instant.ofEpochSecond(0, v);
  }
}
