package dev.offload.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.EnumSet;
import org.junit.jupiter.api.Test;

class ApiTokensTest {
  static final String READER = "reader-token-0123456789";
  static final String OPERATOR = "operator-token-0123456789";

  @Test
  void parsesScopesPlainAndHashedTokens() {
    ApiTokens tokens =
        ApiTokens.parse(
            "# comment\n\nread " + READER + "\nread,submit,admin " + ApiTokens.hashed(OPERATOR),
            "test");
    assertThat(tokens.size()).isEqualTo(2);
    assertThat(tokens.check(READER)).contains(EnumSet.of(Scope.READ));
    assertThat(tokens.check(OPERATOR)).contains(EnumSet.allOf(Scope.class));
    assertThat(tokens.check(ApiTokens.hashed(OPERATOR))).isEmpty();
    assertThat(tokens.check(READER + "x")).isEmpty();
    assertThat(tokens.check("")).isEmpty();
    assertThat(tokens.check(null)).isEmpty();
  }

  @Test
  void malformedFilesFailNamingTheLine() {
    assertThatThrownBy(() -> ApiTokens.parse("read\n", "tokens.txt"))
        .hasMessageContaining("tokens.txt line 1")
        .hasMessageContaining("SCOPES TOKEN");
    assertThatThrownBy(() -> ApiTokens.parse("# x\nwrite " + READER, "tokens.txt"))
        .hasMessageContaining("line 2")
        .hasMessageContaining("unknown scope 'write'");
    assertThatThrownBy(() -> ApiTokens.parse("read short", "t")).hasMessageContaining("16");
    assertThatThrownBy(() -> ApiTokens.parse("read sha256:abc", "t"))
        .hasMessageContaining("64 hex");
    assertThatThrownBy(() -> ApiTokens.parse("# only comments\n", "t"))
        .hasMessageContaining("no tokens");
  }
}
