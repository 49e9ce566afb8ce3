package dev.offload.cli.fuzz;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;

/**
 * A seeded generator of HTTP requests for the fuzz run: valid calls of every route, mutated JSON,
 * wrong types, huge and deep values, odd headers and raw protocol garbage. The same seed gives the
 * same requests. Nothing generated asks for long work (spin and hash rounds stay small or out of
 * range, waits stay under a second): every request must be answered within 2 s.
 */
final class FuzzRequests {
  /** One request: its bytes, what kind it is, and whether an answer is owed. */
  record Request(String kind, byte[] bytes, boolean answerOwed) {}

  private static final List<String> SCALARS =
      List.of(
          "-1",
          "0",
          "7",
          "2147483647",
          "2147483648",
          "-9223372036854775808",
          "9223372036854775807",
          "1e308",
          "-1e308",
          "0.5",
          "true",
          "false",
          "null",
          "\"\"",
          "\"x\"",
          "\"\\u0000\"",
          "\"\\ud800\"",
          "\"\\udc00x\"",
          "\"\\ud83d\\ude00\"",
          "[]",
          "{}",
          "[1,2,3]",
          "{\"a\":1}",
          "\"PT99999999999H\"",
          "\"-PT1S\"",
          "\"1e400\"",
          "NaN",
          "\"%zz\"");
  private static final List<String> TASKS = List.of("spin", "sha256", "flaky", "nope", "", "%00");
  private static final List<String> QUEUES = List.of("default", "q1", "a b", "ü", "x".repeat(300));

  private final Random random;
  private final String host;
  private final List<String> ids;

  FuzzRequests(long seed, String host, List<String> knownIds) {
    this.random = new Random(seed);
    this.host = host;
    this.ids = knownIds;
  }

  Request next() {
    int r = random.nextInt(100);
    if (r < 30) {
      return valid();
    } else if (r < 55) {
      return mutatedJson();
    } else if (r < 70) {
      return wrongTypes();
    } else if (r < 78) {
      return hugeOrDeep();
    } else if (r < 90) {
      return oddHeaders();
    }
    return garbage();
  }

  private String id() {
    if (!ids.isEmpty() && random.nextInt(3) > 0) {
      return ids.get(random.nextInt(ids.size()));
    }
    return pick(List.of("01jzzzzzzzzzzzzzzzzzzzzzzz", "nope", "%zz", "0", "-", "x".repeat(200)));
  }

  private Request valid() {
    return switch (random.nextInt(14)) {
      case 0 -> get("valid", "/tasks");
      case 1 -> post("valid", "/tasks/spin/run", "{\"ms\":" + random.nextInt(3) + "}");
      case 2 ->
          post(
              "valid",
              "/tasks/sha256/map",
              "[{\"text\":\"a\",\"rounds\":3},{\"text\":\"b\",\"rounds\":"
                  + random.nextInt(50)
                  + "}]");
      case 3, 4 ->
          post(
              "valid",
              "/jobs",
              "{\"task\":\""
                  + pick(List.of("spin", "sha256", "flaky"))
                  + "\",\"input\":{\"ms\":1,\"text\":\"t\",\"rounds\":2,\"failures\":"
                  + random.nextInt(2)
                  + "},\"queue\":\""
                  + pick(List.of("default", "q1", "q2"))
                  + "\",\"priority\":"
                  + random.nextInt(5)
                  + ",\"maxAttempts\":2,\"backoff\":{\"initial\":\"10ms\",\"max\":\"20ms\"}}");
      case 5 -> get("valid", "/jobs?limit=" + (1 + random.nextInt(100)));
      case 6 -> get("valid", "/jobs?state=failed,succeeded&queue=q1&task=spin");
      case 7 -> get("valid", "/jobs/" + id());
      case 8 ->
          get("valid", "/jobs/" + id() + "/result?wait=" + pick(List.of("0s", "50ms", "PT0.2S")));
      case 9 -> post("valid", "/jobs/" + id() + "/" + pick(List.of("cancel", "retry")), null);
      case 10 -> request("valid", "DELETE", "/jobs/" + id(), null, null);
      case 11 -> get("valid", pick(List.of("/stats", "/health/live", "/health/ready", "/metrics")));
      case 12 ->
          get("valid", pick(List.of("/openapi.json", "/docs", "/", "/dashboard/api/series")));
      default -> get("valid", "/events?job=" + pick(List.of("nope", "01jzzzzzzzzzzzzzzzzzzzzzzz")));
    };
  }

  private Request mutatedJson() {
    String base =
        pick(
            List.of(
                "{\"task\":\"spin\",\"input\":{\"ms\":1}}",
                "{\"task\":\"sha256\",\"input\":{\"text\":\"abc\",\"rounds\":2},\"queue\":\"q\"}",
                "{\"ms\":1}",
                "[{\"ms\":1},{\"ms\":2}]"));
    StringBuilder b = new StringBuilder(base);
    int edits = 1 + random.nextInt(4);
    for (int i = 0; i < edits; i++) {
      int at = random.nextInt(b.length() + 1);
      switch (random.nextInt(4)) {
        case 0 -> {
          if (b.length() > 0) {
            b.deleteCharAt(Math.min(at, b.length() - 1));
          }
        }
        case 1 ->
            b.insert(at, pick(List.of("{", "}", "[", "]", ",", ":", "\"", "\\", "\u0000", "é")));
        case 2 -> b.insert(at, pick(SCALARS));
        default -> b.setLength(Math.min(at, b.length()));
      }
    }
    String path =
        base.startsWith("[")
            ? "/tasks/spin/map"
            : base.startsWith("{\"ms") ? "/tasks/spin/run" : "/jobs";
    return post("mutated", path, b.toString());
  }

  private Request wrongTypes() {
    String field =
        pick(
            List.of(
                "task",
                "input",
                "queue",
                "priority",
                "delay",
                "runAt",
                "maxAttempts",
                "timeout",
                "idempotencyKey",
                "backoff",
                "unknown"));
    String value = pick(SCALARS);
    if (random.nextBoolean()) {
      String input = "{\"ms\":" + pick(SCALARS) + ",\"text\":" + pick(SCALARS) + "}";
      return post("types", "/tasks/" + pick(List.of("spin", "sha256")) + "/run", input);
    }
    String body =
        field.equals("task")
            ? "{\"task\":" + value + "}"
            : "{\"task\":\"" + pick(TASKS) + "\",\"" + field + "\":" + value + "}";
    if (random.nextInt(4) == 0) {
      return get(
          "types", "/jobs?limit=" + enc(value) + "&cursor=" + enc(value) + "&state=" + enc(value));
    }
    return post("types", "/jobs", body);
  }

  private Request hugeOrDeep() {
    return switch (random.nextInt(5)) {
      case 0 ->
          post(
              "huge",
              "/jobs",
              "{\"task\":\"spin\",\"input\":{\"t\":\"" + "x".repeat(2_000_000) + "\"}}");
      case 1 -> post("deep", "/tasks/spin/run", "[".repeat(5_000) + "]".repeat(5_000));
      case 2 ->
          post(
              "deep",
              "/jobs",
              "{\"task\":\"spin\",\"input\":" + "{\"a\":".repeat(2_000) + "1" + "}".repeat(2_001));
      case 3 -> get("huge", "/jobs?task=" + "a".repeat(100_000));
      default ->
          post("huge", "/tasks/spin/map", "[" + "{\"ms\":0},".repeat(20_000) + "{\"ms\":0}]");
    };
  }

  private Request oddHeaders() {
    String body = "{\"task\":\"spin\",\"input\":{\"ms\":0}}";
    String extra =
        switch (random.nextInt(9)) {
          case 0 -> "Origin: http://evil.example\r\n";
          case 1 -> "Origin: null\r\n";
          case 2 -> "Authorization: Bearer " + "x".repeat(random.nextInt(100)) + "\r\n";
          case 3 -> "X-Long: " + "y".repeat(20_000) + "\r\n";
          case 4 -> "Cookie: offload_session=" + "z".repeat(50) + "\r\n";
          case 5 -> "Content-Type: text/plain\r\n";
          case 6 -> "Accept: */*\r\nAccept-Encoding: gzip, deflate, br\r\n";
          case 7 -> "Expect: 100-continue\r\n";
          default -> "X-Empty:\r\n";
        };
    String hostLine =
        random.nextInt(4) == 0
            ? "Host: " + pick(List.of("attacker.example", "", "[::1]", "localhost")) + "\r\n"
            : "Host: " + host + "\r\n";
    String ct = extra.startsWith("Content-Type") ? "" : "Content-Type: application/json\r\n";
    String head =
        "POST /jobs HTTP/1.1\r\n"
            + hostLine
            + ct
            + extra
            + "Content-Length: "
            + utf8(body).length
            + "\r\n\r\n";
    return new Request("headers", concat(utf8(head), utf8(body)), true);
  }

  private Request garbage() {
    return switch (random.nextInt(10)) {
      case 0 -> {
        byte[] bytes = new byte[1 + random.nextInt(300)];
        random.nextBytes(bytes);
        yield new Request("garbage", concat(bytes, utf8("\r\n\r\n")), true);
      }
      case 1 -> raw("garbage", "GET / HTTP/9.9\r\nHost: " + host + "\r\n\r\n");
      case 2 -> raw("garbage", "GET /health/live HTTP/1.0\r\n\r\n");
      case 3 ->
          raw(
              "garbage",
              "POST /jobs HTTP/1.1\r\nHost: "
                  + host
                  + "\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
                  + pick(List.of("zz", "-1", "ffffffffffffffff", "5;x"))
                  + "\r\n{}\r\n0\r\n\r\n");
      case 4 ->
          raw(
              "garbage",
              "POST /jobs HTTP/1.1\r\nHost: "
                  + host
                  + "\r\nContent-Length: "
                  + pick(List.of("abc", "-5", "1, 2", "99999999999999999999"))
                  + "\r\n\r\n{}");
      case 5 -> raw("garbage", "GET /jobs/%zz HTTP/1.1\r\nHost: " + host + "\r\n\r\n");
      case 6 ->
          raw("garbage", "GET /" + "a".repeat(100_000) + " HTTP/1.1\r\nHost: " + host + "\r\n\r\n");
      case 7 -> raw("garbage", "BREW /jobs HTTP/1.1\r\nHost: " + host + "\r\n\r\n");
      case 8 -> raw("garbage", "GET /jobs HTTP/1.1\r\nHost: " + host + "\r\nNo-Colon-Here\r\n\r\n");
      default ->
          // An unfinished request: no answer is owed; the server must only not suffer from it.
          new Request(
              "truncated",
              utf8("POST /jobs HTTP/1.1\r\nHost: " + host + "\r\nContent-Length: 100\r\n\r\n{\"ta"),
              false);
    };
  }

  private Request get(String kind, String path) {
    return request(kind, "GET", path, null, null);
  }

  private Request post(String kind, String path, String body) {
    return request(kind, "POST", path, body, body == null ? null : "application/json");
  }

  private Request request(String kind, String method, String path, String body, String type) {
    byte[] b = body == null ? new byte[0] : utf8(body);
    StringBuilder head = new StringBuilder();
    head.append(method)
        .append(' ')
        .append(path)
        .append(" HTTP/1.1\r\nHost: ")
        .append(host)
        .append("\r\n");
    if (type != null) {
      head.append("Content-Type: ").append(type).append("\r\n");
    }
    if (body != null || method.equals("POST")) {
      head.append("Content-Length: ").append(b.length).append("\r\n");
    }
    head.append("\r\n");
    return new Request(kind, concat(utf8(head.toString()), b), true);
  }

  private static Request raw(String kind, String text) {
    return new Request(kind, text.getBytes(StandardCharsets.ISO_8859_1), true);
  }

  private String pick(List<String> options) {
    return options.get(random.nextInt(options.size()));
  }

  private static String enc(String s) {
    return java.net.URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] out = new byte[a.length + b.length];
    System.arraycopy(a, 0, out, 0, a.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }
}
