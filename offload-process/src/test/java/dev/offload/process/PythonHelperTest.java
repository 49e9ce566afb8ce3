package dev.offload.process;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Runs the Python helper's own unit tests (src/test/python/test_offload_worker.py). */
class PythonHelperTest {
  @Test
  void offloadWorkerUnitTestsPass() throws Exception {
    Process p =
        new ProcessBuilder("python3", "-m", "unittest", "-v", "test_offload_worker")
            .directory(new File("src/test/python"))
            .redirectErrorStream(true)
            .start();
    p.getOutputStream().close();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(out).isZero();
    assertThat(out).contains("OK");
    assertThat(Path.of("src/main/python/offload_worker.py")).exists();
  }
}
