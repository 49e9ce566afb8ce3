package dev.offload.redis.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.exceptions.JedisNoScriptException;

/**
 * One Lua script, run by its SHA1 ({@code EVALSHA}); loaded on the first {@code NOSCRIPT}, which is
 * also what a restarted or flushed Redis answers, so scripts come back by themselves.
 */
final class LuaScript {
  private static final List<String> NO_KEYS = List.of();
  private static final String PRELUDE = resource("prelude");

  final String name;
  private final String source;
  private final String sha;

  private LuaScript(String name, String source) {
    this.name = name;
    this.source = source;
    this.sha = sha1(source);
  }

  /** The script {@code lua/<name>.lua} with the shared prelude before it. */
  static LuaScript load(String name) {
    return new LuaScript(name, PRELUDE + "\n" + resource(name));
  }

  Object run(UnifiedJedis redis, List<String> args) {
    try {
      return redis.evalsha(sha, NO_KEYS, args);
    } catch (JedisNoScriptException e) {
      redis.scriptLoad(source);
      return redis.evalsha(sha, NO_KEYS, args);
    }
  }

  private static String resource(String name) {
    String path = "/dev/offload/redis/lua/" + name + ".lua";
    try (InputStream in = LuaScript.class.getResourceAsStream(path)) {
      if (in == null) {
        throw new IllegalStateException("missing resource " + path);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String sha1(String text) {
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-1").digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
