package dev.offload.server;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The API tokens a server accepts, each with its {@link Scope}s. A tokens file has one token a
 * line, {@code SCOPES TOKEN}; scopes are comma-separated; a token may be written as {@code
 * sha256:HEX} (the SHA-256 of the token, so the file need hold no secret); {@code #} starts a
 * comment.
 *
 * <pre>{@code
 * # scopes            token
 * read,submit         3f7c0e5d1b...            (a client that submits and polls)
 * read,submit,admin   sha256:9a0c...           (an operator; the file keeps only the hash)
 * }</pre>
 *
 * <p>Only SHA-256 digests are kept in memory. {@link #check} hashes the presented token once and
 * compares it with every entry in constant time ({@link MessageDigest#isEqual}), never stopping at
 * the first match, so timing does not tell how much of a token was right.
 */
public final class ApiTokens {
  private static final HexFormat HEX = HexFormat.of();
  private static final int MIN_TOKEN_LENGTH = 16;
  private static final MessageDigest SHA256 = newSha256();

  private record Entry(byte[] digest, Set<Scope> scopes) {}

  private final List<Entry> entries;

  private ApiTokens(List<Entry> entries) {
    this.entries = List.copyOf(entries);
  }

  /** Reads a tokens file; fails naming the file and line of anything malformed. */
  public static ApiTokens load(Path file) {
    try {
      return parse(Files.readString(file, StandardCharsets.UTF_8), file.toString());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read tokens file " + file + ": " + e.getMessage(), e);
    }
  }

  /** Parses the text of a tokens file; {@code source} names it in errors. */
  public static ApiTokens parse(String text, String source) {
    List<Entry> entries = new ArrayList<>();
    String[] lines = text.split("\r?\n", -1);
    for (int i = 0; i < lines.length; i++) {
      String line = lines[i].strip();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      String where = source + " line " + (i + 1);
      String[] parts = line.split("\\s+");
      if (parts.length != 2) {
        throw new IllegalArgumentException(
            where
                + ": expected 'SCOPES TOKEN' (e.g. 'read,submit 3f7c...'), got "
                + parts.length
                + " words");
      }
      Set<Scope> scopes = EnumSet.noneOf(Scope.class);
      for (String s : parts[0].split(",")) {
        try {
          scopes.add(Scope.fromWireName(s.strip()));
        } catch (IllegalArgumentException e) {
          throw new IllegalArgumentException(where + ": " + e.getMessage(), e);
        }
      }
      entries.add(new Entry(digestOf(parts[1], where), Collections.unmodifiableSet(scopes)));
    }
    if (entries.isEmpty()) {
      throw new IllegalArgumentException(source + " holds no tokens");
    }
    return new ApiTokens(entries);
  }

  private static byte[] digestOf(String token, String where) {
    if (token.startsWith("sha256:")) {
      String hex = token.substring("sha256:".length());
      if (!hex.matches("[0-9a-fA-F]{64}")) {
        throw new IllegalArgumentException(where + ": sha256: must be followed by 64 hex digits");
      }
      return HEX.parseHex(hex.toLowerCase(java.util.Locale.ROOT));
    }
    if (token.length() < MIN_TOKEN_LENGTH) {
      throw new IllegalArgumentException(
          where + ": a token must have at least " + MIN_TOKEN_LENGTH + " characters");
    }
    return sha256(token);
  }

  /** The scopes of {@code presented}, or empty when it is no token of this set. */
  public Optional<Set<Scope>> check(String presented) {
    if (presented == null || presented.isEmpty()) {
      return Optional.empty();
    }
    byte[] digest = sha256(presented);
    Set<Scope> found = null;
    for (Entry e : entries) {
      if (MessageDigest.isEqual(e.digest, digest) && found == null) {
        found = e.scopes;
      }
    }
    return Optional.ofNullable(found);
  }

  /** How many tokens there are. */
  public int size() {
    return entries.size();
  }

  /** {@code sha256:HEX} of {@code token}, the form a tokens file may hold instead of the token. */
  public static String hashed(String token) {
    return "sha256:" + HEX.formatHex(sha256(token));
  }

  static byte[] sha256(String token) {
    MessageDigest digest;
    try {
      // A clone skips the provider lookup of getInstance (this runs on every request).
      digest = (MessageDigest) SHA256.clone();
    } catch (CloneNotSupportedException e) {
      digest = newSha256();
    }
    return digest.digest(token.getBytes(StandardCharsets.UTF_8));
  }

  private static MessageDigest newSha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK has no SHA-256", e);
    }
  }
}
