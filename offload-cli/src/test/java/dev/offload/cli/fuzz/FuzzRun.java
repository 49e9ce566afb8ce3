package dev.offload.cli.fuzz;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Sends {@link FuzzRequests} at a server over fresh connections (closed with a reset, so a long run
 * leaves no TIME_WAIT behind) from {@code clients} threads, and counts what came back: answers by
 * status, 5xx answers with what provoked them, and requests not answered within 2 s.
 */
final class FuzzRun {
  static final int ANSWER_WITHIN_MILLIS = 2_000;
  private static final Pattern STATUS = Pattern.compile("^HTTP/1\\.[01] (\\d{3})");
  private static final Pattern LENGTH = Pattern.compile("(?im)^content-length: *(\\d+)");
  private static final Pattern ID = Pattern.compile("\"id\":\"([0-9a-z]{26})\"");

  /** What a run saw. */
  record Result(
      int requests,
      Map<Integer, Long> byStatus,
      long fiveHundreds,
      long unanswered,
      List<String> examples,
      long millis) {
    String summary() {
      return requests
          + " requests in "
          + millis
          + " ms: "
          + byStatus
          + "; 5xx "
          + fiveHundreds
          + ", unanswered after 2 s "
          + unanswered;
    }
  }

  private FuzzRun() {}

  static Result run(int port, long seed, int requests, int clients) throws InterruptedException {
    String host = "127.0.0.1:" + port;
    List<String> ids = new CopyOnWriteArrayList<>();
    FuzzRequests gen = new FuzzRequests(seed, host, ids);
    Map<Integer, LongAdder> byStatus = new ConcurrentHashMap<>();
    LongAdder fiveHundreds = new LongAdder();
    LongAdder unanswered = new LongAdder();
    List<String> examples = new CopyOnWriteArrayList<>();
    AtomicInteger left = new AtomicInteger(requests);
    long start = System.nanoTime();
    try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
      for (int c = 0; c < clients; c++) {
        pool.submit(() -> {
          while (left.getAndDecrement() > 0) {
            FuzzRequests.Request r;
            synchronized (gen) {
              r = gen.next();
            }
            String answer = exchange(port, r.bytes());
            Matcher m = answer == null ? null : STATUS.matcher(answer);
            if (m == null || !m.find()) {
              if (r.answerOwed()) {
                unanswered.increment();
                note(examples, "unanswered " + r.kind() + ": " + head(r.bytes()));
              }
              continue;
            }
            int status = Integer.parseInt(m.group(1));
            byStatus.computeIfAbsent(status, k -> new LongAdder()).increment();
            if (status >= 500) {
              fiveHundreds.increment();
              note(
                  examples,
                  status + " " + r.kind() + ": " + head(r.bytes()) + " -> " + tail(answer));
            }
            if (status == 202 && ids.size() < 2_000) {
              Matcher id = ID.matcher(answer);
              if (id.find()) {
                ids.add(id.group(1));
              }
            }
          }
          return null;
        });
      }
    }
    Map<Integer, Long> counts = new TreeMap<>();
    byStatus.forEach((k, v) -> counts.put(k, v.sum()));
    return new Result(
        requests,
        counts,
        fiveHundreds.sum(),
        unanswered.sum(),
        List.copyOf(examples),
        (System.nanoTime() - start) / 1_000_000);
  }

  private static void note(List<String> examples, String text) {
    if (examples.size() < 20) {
      examples.add(text);
    }
  }

  /** Sends {@code bytes}; the answer's text (head and body), or null without one in 2 s. */
  static String exchange(int port, byte[] bytes) {
    try (Socket socket = new Socket("127.0.0.1", port)) {
      socket.setSoLinger(true, 0);
      socket.setSoTimeout(ANSWER_WITHIN_MILLIS);
      long deadline = System.nanoTime() + ANSWER_WITHIN_MILLIS * 1_000_000L;
      OutputStream out = socket.getOutputStream();
      try {
        out.write(bytes);
        out.flush();
      } catch (IOException e) {
        // The server may answer (413) and close before reading everything; read what it said.
      }
      return read(socket.getInputStream(), deadline);
    } catch (IOException e) {
      return null;
    }
  }

  private static String read(InputStream in, long deadline) throws IOException {
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    byte[] chunk = new byte[8192];
    int headEnd = -1;
    long bodyLength = -1;
    while (true) {
      if (System.nanoTime() > deadline) {
        return headEnd < 0 ? null : buf.toString(StandardCharsets.ISO_8859_1);
      }
      int n;
      try {
        n = in.read(chunk);
      } catch (SocketTimeoutException e) {
        return headEnd < 0 ? null : buf.toString(StandardCharsets.ISO_8859_1);
      } catch (IOException e) {
        return buf.size() == 0 || headEnd < 0 ? null : buf.toString(StandardCharsets.ISO_8859_1);
      }
      if (n < 0) {
        return headEnd < 0 ? null : buf.toString(StandardCharsets.ISO_8859_1);
      }
      buf.write(chunk, 0, n);
      String text = buf.toString(StandardCharsets.ISO_8859_1);
      if (headEnd < 0) {
        headEnd = text.indexOf("\r\n\r\n");
        if (headEnd >= 0) {
          Matcher m = LENGTH.matcher(text.substring(0, headEnd));
          bodyLength = m.find() ? Long.parseLong(m.group(1)) : -1;
        }
      }
      if (headEnd >= 0) {
        if (bodyLength >= 0 && buf.size() >= headEnd + 4 + bodyLength) {
          return text;
        }
        if (bodyLength < 0 && (text.endsWith("0\r\n\r\n") || !text.contains("chunked"))) {
          return text;
        }
      }
    }
  }

  private static String head(byte[] bytes) {
    String s = new String(bytes, 0, Math.min(bytes.length, 120), StandardCharsets.ISO_8859_1);
    return s.replace("\r\n", "\\r\\n");
  }

  private static String tail(String answer) {
    int body = answer.indexOf("\r\n\r\n");
    String s = body < 0 ? answer : answer.substring(body + 4);
    return s.length() > 200 ? s.substring(0, 200) : s;
  }

  static List<String> lines(Result r) {
    List<String> out = new ArrayList<>();
    out.add(r.summary());
    out.addAll(r.examples());
    return out;
  }
}
