package dev.offload.server.internal;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import dev.offload.InvalidInputException;
import dev.offload.JobId;
import dev.offload.server.Problem;
import dev.offload.server.ProblemException;
import dev.offload.server.ProblemType;
import io.helidon.common.buffers.DataReader;
import io.helidon.http.RequestException;
import io.helidon.webserver.http.ServerRequest;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads what a request carries: a size-limited JSON body, path and query parameters. */
public final class Requests {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(Requests.class);

  private static final Pattern SHORT_DURATION =
      Pattern.compile("(\\d+(?:\\.\\d+)?)(ms|s|m|h)", Pattern.CASE_INSENSITIVE);

  private final ObjectReader reader;
  private final long maxBodyBytes;

  public Requests(ObjectMapper mapper, long maxBodyBytes) {
    this.reader =
        mapper
            .reader()
            .with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .with(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
    this.maxBodyBytes = maxBodyBytes;
  }

  public long maxBodyBytes() {
    return maxBodyBytes;
  }

  /**
   * The body as JSON: 413 past the limit (from {@code Content-Length} before reading, or while
   * reading a chunked body), 400 when empty or not JSON.
   */
  public JsonNode jsonBody(ServerRequest req) {
    OptionalLong declared = req.headers().contentLength();
    if (declared.isPresent() && declared.getAsLong() > maxBodyBytes) {
      throw tooLarge(declared.getAsLong() + " bytes");
    }
    byte[] body;
    try (InputStream in = req.content().inputStream()) {
      body = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, maxBodyBytes + 1));
      if (body.length > maxBodyBytes) {
        throw tooLarge("more than " + maxBodyBytes + " bytes");
      }
    } catch (IOException | UncheckedIOException | DataReader.InsufficientDataAvailableException e) {
      // The client left (or stalled and was cut off) in the middle of its body.
      LOG.debug("client left while sending its request body", e);
      throw new ApiRoutes.ClientGoneException();
    } catch (NumberFormatException | RequestException e) {
      // A malformed chunk size or framing: nothing after it can be trusted.
      LOG.debug("malformed request body framing", e);
      throw new ProblemException(
          ProblemType.BAD_REQUEST,
          "malformed request body (chunked encoding or length): " + clip(e.getMessage()));
    }
    if (isBlank(body)) {
      throw new ProblemException(
          ProblemType.MALFORMED_JSON, "the request body is empty; send a JSON value");
    }
    try {
      return reader.readTree(body);
    } catch (JsonProcessingException e) {
      String where =
          e.getLocation() == null
              ? ""
              : " (line "
                  + e.getLocation().getLineNr()
                  + ", column "
                  + e.getLocation().getColumnNr()
                  + ")";
      throw new ProblemException(
          ProblemType.MALFORMED_JSON, "malformed JSON" + where + ": " + e.getOriginalMessage());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String clip(String message) {
    if (message == null) {
      return "unreadable";
    }
    return message.length() <= 120 ? message : message.substring(0, 120) + "...";
  }

  private ProblemException tooLarge(String size) {
    return new ProblemException(
        Problem.of(
                ProblemType.BODY_TOO_LARGE,
                "the request body (" + size + ") exceeds the limit of " + maxBodyBytes + " bytes")
            .with("limit", maxBodyBytes));
  }

  private static boolean isBlank(byte[] body) {
    for (byte b : body) {
      if (b != ' ' && b != '\n' && b != '\r' && b != '\t') {
        return false;
      }
    }
    return true;
  }

  public static String pathParam(ServerRequest req, String name) {
    return req.path().pathParameters().get(name);
  }

  /** The job id in the path; a value that is no job id is a job that does not exist (404). */
  public static JobId jobId(ServerRequest req) {
    String text = pathParam(req, "id");
    try {
      return JobId.parse(text);
    } catch (InvalidInputException e) {
      throw new ProblemException(
          Problem.of(ProblemType.JOB_NOT_FOUND, "no job " + text + " (not a job id)")
              .with("id", text));
    }
  }

  public static String query(ServerRequest req, String name) {
    return req.query().contains(name) ? req.query().get(name) : null;
  }

  /**
   * A duration parameter: ISO-8601 ({@code PT5S}) or short ({@code 500ms}, {@code 5s}, {@code 2m}).
   */
  public static Duration durationQuery(ServerRequest req, String name) {
    String text = query(req, name);
    if (text == null || text.isBlank()) {
      return null;
    }
    Duration d = parseDuration(text);
    if (d == null || d.isNegative()) {
      throw badParameter(
          name, "'" + text + "' is not a duration; use ISO-8601 (PT5S) or 500ms, 5s, 2m, 1h");
    }
    if (d.compareTo(JobSpecs.MAX_DURATION) > 0) {
      throw badParameter(name, "must be at most " + JobSpecs.MAX_DURATION.toDays() + " days");
    }
    return d;
  }

  /** Parses ISO-8601 or short durations; {@code null} when {@code text} is neither. */
  public static Duration parseDuration(String text) {
    try {
      return Duration.parse(text);
    } catch (DateTimeParseException e) {
      Matcher m = SHORT_DURATION.matcher(text.trim());
      if (!m.matches()) {
        return null;
      }
      double amount = Double.parseDouble(m.group(1));
      double millis =
          switch (m.group(2).toLowerCase(java.util.Locale.ROOT)) {
            case "ms" -> amount;
            case "s" -> amount * 1_000;
            case "m" -> amount * 60_000;
            default -> amount * 3_600_000;
          };
      return Duration.ofNanos(Math.round(millis * 1_000_000));
    }
  }

  public static int intQuery(ServerRequest req, String name, int fallback, int min, int max) {
    String text = query(req, name);
    if (text == null || text.isBlank()) {
      return fallback;
    }
    try {
      int v = Integer.parseInt(text.trim());
      if (v < min || v > max) {
        throw badParameter(name, "must be " + min + "-" + max + ", was " + v);
      }
      return v;
    } catch (NumberFormatException e) {
      throw badParameter(name, "'" + text + "' is not a whole number");
    }
  }

  public static ProblemException badParameter(String name, String detail) {
    return new ProblemException(
        Problem.of(ProblemType.INVALID_PARAMETER, name + ": " + detail).with("parameter", name));
  }
}
