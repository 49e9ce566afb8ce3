package dev.offload.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.offload.Task;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The protocol needs no helper library: a worker in plain sh. And the builder fails fast. */
class AnyExecutableTest {
  /** Answers every run with {"echo": <its id>}; ignores everything else. */
  static final String SH_WORKER =
      """
      echo '{"type":"ready","pid":'$$',"tasks":["sh-echo"]}'
      while IFS= read -r line; do
        case "$line" in
          *'"type":"run"'*)
            id=$(printf '%s' "$line" | sed 's/.*"id":"\\([^"]*\\)".*/\\1/')
            echo "working on $id" >&2
            echo '{"type":"result","id":"'"$id"'","output":{"echo":"'"$id"'"}}' ;;
          *'"type":"shutdown"'*) exit 0 ;;
        esac
      done
      """;

  @Test
  void aShellScriptSpeakingTheProtocolIsAWorker() throws Exception {
    Task<JsonNode, JsonNode> echo = ExternalTask.of("sh-echo", JsonNode.class, JsonNode.class);
    ProcessExecutor sh =
        ProcessExecutor.command("/bin/sh", "-c", SH_WORKER).size(1).noHeartbeatTimeout().build();
    try {
      JsonNode out =
          sh.execute(echo, PythonChildTest.json(), new TestContext()).get(20, TimeUnit.SECONDS);
      assertThat(out.get("echo").asText()).isNotBlank();
      assertThat(sh.children()).singleElement().extracting(ChildInfo::tasksRun).isEqualTo(1L);
    } finally {
      sh.close();
    }
    assertThat(sh.awaitTermination(Duration.ofSeconds(10))).isTrue();
    assertThat(sh.processStats().crashes()).isZero();
  }

  @Test
  void theBuilderFailsFastNamingTheSetting() {
    assertThatThrownBy(() -> ProcessExecutor.command())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("command");
    assertThatThrownBy(() -> ProcessExecutor.command("x").size(0))
        .hasMessageContaining("size must be >= 1, was 0");
    assertThatThrownBy(() ->
            ProcessExecutor.command("x")
                .softTimeLimit(Duration.ofSeconds(5))
                .hardTimeLimit(Duration.ofSeconds(5))
                .build())
        .hasMessageContaining("softTimeLimit (PT5S) must be shorter than hardTimeLimit (PT5S)");
    assertThatThrownBy(() -> ProcessExecutor.command("x").jvmOptions("-Xss1m").build())
        .hasMessageContaining("[jvmOptions] apply to javaChild() executors only");
    assertThatThrownBy(() -> ProcessExecutor.command("x").maxMemory(1024))
        .hasMessageContaining("maxMemory must be >= 16 MiB");
    assertThatThrownBy(() -> ProcessExecutor.command("x").hardTimeLimit(Duration.ZERO))
        .hasMessageContaining("hardTimeLimit must be positive");
    assertThatThrownBy(() ->
            ProcessExecutor.command("x").heartbeat(Duration.ofSeconds(2), Duration.ofSeconds(1)))
        .hasMessageContaining("heartbeat interval (PT2S) must be shorter than its timeout (PT1S)");
  }

  @Test
  void theMemoryLimitWrapsCommandsWithPrlimit() {
    assertThat(MemoryWrapper.wrap(java.util.List.of("python3", "w.py"), 0))
        .containsExactly("python3", "w.py");
    java.util.List<String> c = MemoryWrapper.wrap(java.util.List.of("python3", "w.py"), 256L << 20);
    assertThat(c.subList(c.size() - 2, c.size())).containsExactly("python3", "w.py");
    if (c.get(0).equals("prlimit")) {
      assertThat(c.subList(0, 3)).containsExactly("prlimit", "--as=268435456", "--");
    } else {
      assertThat(c.subList(0, 3))
          .containsExactly("/bin/sh", "-c", "ulimit -v 262144 && exec \"$@\"");
    }
  }
}
