package dev.offload.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.offload.InvalidInputException;
import dev.offload.OffloadException;
import java.util.stream.Collectors;

/**
 * Task inputs and outputs to and from JSON text. Decoding failures become {@link
 * InvalidInputException} naming the field, so every edge (HTTP 422, CLI) reports them the same way.
 */
public final class JsonCodec {
  private final ObjectMapper mapper;

  public JsonCodec(ObjectMapper mapper) {
    this.mapper = mapper != null ? mapper : defaultMapper();
  }

  /** The mapper Offload uses unless given one: java.time support, strict about unknown fields. */
  public static ObjectMapper defaultMapper() {
    return new ObjectMapper()
        .registerModule(new JavaTimeModule())
        .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
        .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
        .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);
  }

  public ObjectMapper mapper() {
    return mapper;
  }

  /** Any value (record, map, {@code JsonNode}) as a JSON tree. */
  public JsonNode toTree(Object value) {
    try {
      return value instanceof JsonNode node ? node : mapper.valueToTree(value);
    } catch (IllegalArgumentException e) {
      throw new InvalidInputException("input", "cannot be written as JSON: " + e.getMessage(), e);
    }
  }

  public String write(Object value) {
    try {
      return mapper.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new OffloadException("cannot write " + value.getClass().getName() + " as JSON", e);
    }
  }

  public <T> T read(String json, Class<T> type, String what) {
    try {
      return mapper.readValue(json, type);
    } catch (JsonProcessingException e) {
      throw invalid(what, e);
    }
  }

  public <T> T convert(JsonNode node, Class<T> type, String what) {
    try {
      return mapper.treeToValue(node, type);
    } catch (JsonProcessingException | IllegalArgumentException e) {
      throw invalid(what, e);
    }
  }

  private static InvalidInputException invalid(String what, Exception e) {
    String field = what;
    String message = e.getMessage();
    if (e instanceof JsonMappingException m) {
      String path =
          m.getPath().stream()
              .map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
              .collect(Collectors.joining("."));
      if (!path.isEmpty()) {
        field = what + "." + path.replace(".[", "[");
      }
      message = m.getOriginalMessage();
    }
    return new InvalidInputException(field, message, e);
  }
}
