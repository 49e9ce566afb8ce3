package dev.offload.redis.internal;

import dev.offload.Job;
import dev.offload.JobQuery;
import dev.offload.JobState;
import dev.offload.Page;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import redis.clients.jedis.AbstractPipeline;
import redis.clients.jedis.Response;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.params.ZRangeParams;

/**
 * Pages through jobs newest id first.
 *
 * <p>Design: ids sit in lexicographic sorted sets (UUIDv7 text order is id order): one of every job
 * and one per state, kept by the scripts. A state filter walks the matching state sets merged; task
 * and queue filters are checked on the fetched jobs, so they read more when they match few. A page
 * is read in several round trips, not atomically: a job that changes state meanwhile is checked
 * again on the job itself, and seen ids are skipped.
 */
final class JobLister {
  private static final int BATCH = 200;

  private final UnifiedJedis redis;
  private final String prefix;

  JobLister(UnifiedJedis redis, String prefix) {
    this.redis = redis;
    this.prefix = prefix;
  }

  Page<Job> list(JobQuery query) {
    String upper = query.cursor() == null ? "+" : "(" + query.cursorId();
    List<Source> sources = new ArrayList<>();
    if (query.states().isEmpty()) {
      sources.add(new Source(prefix + ":ids", upper));
    } else {
      for (JobState s : query.states()) {
        sources.add(new Source(prefix + ":st:" + s.wireName(), upper));
      }
    }
    int want = query.limit() + 1;
    List<Job> found = new ArrayList<>(want);
    Set<String> seen = new HashSet<>();
    while (found.size() < want) {
      List<String> ids = new ArrayList<>();
      int batch = Math.max(want - found.size(), 16);
      while (ids.size() < batch) {
        String id = next(sources);
        if (id == null) {
          break;
        }
        if (seen.add(id)) {
          ids.add(id);
        }
      }
      if (ids.isEmpty()) {
        break;
      }
      for (Job job : fetch(ids)) {
        if (job != null && query.matches(job) && found.size() < want) {
          found.add(job);
        }
      }
    }
    if (found.size() > query.limit()) {
      List<Job> page = found.subList(0, query.limit());
      return new Page<>(page, page.get(page.size() - 1).id().toString());
    }
    return new Page<>(found, null);
  }

  /** The greatest id left among the sources, taken from its source; null when all are done. */
  private String next(List<Source> sources) {
    Source best = null;
    for (Source s : sources) {
      String head = s.peek();
      if (head != null && (best == null || head.compareTo(best.peek()) > 0)) {
        best = s;
      }
    }
    return best == null ? null : best.buffer.poll();
  }

  private List<Job> fetch(List<String> ids) {
    List<Response<Map<String, String>>> responses = new ArrayList<>(ids.size());
    try (AbstractPipeline p = redis.pipelined()) {
      for (String id : ids) {
        responses.add(p.hgetAll(prefix + ":job:" + id));
      }
      p.sync();
    }
    List<Job> jobs = new ArrayList<>(ids.size());
    for (Response<Map<String, String>> r : responses) {
      jobs.add(JobCodec.fromMap(r.get()));
    }
    return jobs;
  }

  private final class Source {
    final String key;
    final ArrayDeque<String> buffer = new ArrayDeque<>();
    String upper;
    boolean exhausted;

    Source(String key, String upper) {
      this.key = key;
      this.upper = upper;
    }

    String peek() {
      if (buffer.isEmpty() && !exhausted) {
        // With REV, ZRANGE takes the upper bound first.
        List<String> ids =
            redis.zrange(key, ZRangeParams.zrangeByLexParams(upper, "-").rev().limit(0, BATCH));
        buffer.addAll(ids);
        exhausted = ids.size() < BATCH;
        if (!ids.isEmpty()) {
          upper = "(" + ids.get(ids.size() - 1);
        }
      }
      return buffer.peek();
    }
  }
}
