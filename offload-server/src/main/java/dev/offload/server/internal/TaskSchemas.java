package dev.offload.server.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.lang.reflect.GenericArrayType;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.util.Collection;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * A simple JSON Schema (draft 2020-12 vocabulary) for a task's input or output type, derived from
 * its record components, so {@code GET /tasks} and the docs can show what to send. Covers what task
 * inputs are made of (numbers, strings, booleans, enums, lists, maps, nested records); anything
 * else is described as "any value". Recursive types stop at the second visit.
 */
public final class TaskSchemas {
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private TaskSchemas() {}

  public static ObjectNode of(Type type) {
    return schema(type, new HashSet<>());
  }

  private static ObjectNode schema(Type type, Set<Class<?>> visiting) {
    if (type instanceof ParameterizedType p && p.getRawType() instanceof Class<?> raw) {
      Type[] args = p.getActualTypeArguments();
      if (Collection.class.isAssignableFrom(raw) && args.length == 1) {
        return array(schema(args[0], visiting), Set.class.isAssignableFrom(raw));
      }
      if (Map.class.isAssignableFrom(raw) && args.length == 2) {
        ObjectNode n = typed("object");
        n.set("additionalProperties", schema(args[1], visiting));
        return n;
      }
      return schema(raw, visiting);
    }
    if (type instanceof GenericArrayType g) {
      return array(schema(g.getGenericComponentType(), visiting), false);
    }
    if (!(type instanceof Class<?> c)) {
      return NODES.objectNode();
    }
    if (c == int.class
        || c == long.class
        || c == short.class
        || c == byte.class
        || c == Integer.class
        || c == Long.class
        || c == Short.class
        || c == Byte.class
        || c == java.math.BigInteger.class) {
      return typed("integer");
    }
    if (c == double.class
        || c == float.class
        || c == Double.class
        || c == Float.class
        || c == java.math.BigDecimal.class) {
      return typed("number");
    }
    if (c == boolean.class || c == Boolean.class) {
      return typed("boolean");
    }
    if (c == String.class || c == char.class || c == Character.class) {
      return typed("string");
    }
    if (c == Instant.class || c == OffsetDateTime.class) {
      return typed("string").put("format", "date-time");
    }
    if (c == LocalDate.class) {
      return typed("string").put("format", "date");
    }
    if (c == Duration.class) {
      return typed("string").put("format", "duration");
    }
    if (c == UUID.class) {
      return typed("string").put("format", "uuid");
    }
    if (c.isEnum()) {
      ObjectNode n = typed("string");
      ArrayNode values = n.putArray("enum");
      for (Object constant : c.getEnumConstants()) {
        values.add(((Enum<?>) constant).name());
      }
      return n;
    }
    if (c.isArray()) {
      return array(schema(c.getComponentType(), visiting), false);
    }
    if (c.isRecord()) {
      if (!visiting.add(c)) {
        return typed("object");
      }
      ObjectNode n = typed("object");
      n.put("title", c.getSimpleName());
      ObjectNode props = n.putObject("properties");
      for (RecordComponent rc : c.getRecordComponents()) {
        props.set(rc.getName(), schema(rc.getGenericType(), visiting));
      }
      visiting.remove(c);
      return n;
    }
    if (JsonNode.class.isAssignableFrom(c) || c == Object.class) {
      return NODES.objectNode();
    }
    if (Collection.class.isAssignableFrom(c)) {
      return array(NODES.objectNode(), false);
    }
    if (Map.class.isAssignableFrom(c)) {
      return typed("object");
    }
    return typed("object").put("title", c.getSimpleName());
  }

  private static ObjectNode typed(String name) {
    ObjectNode n = NODES.objectNode();
    n.put("type", name);
    return n;
  }

  private static ObjectNode array(ObjectNode items, boolean unique) {
    ObjectNode n = typed("array");
    n.set("items", items);
    if (unique) {
      n.put("uniqueItems", true);
    }
    return n;
  }
}
