package dev.offload.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * examples/fastapi: the FastAPI app on Offload, under uvicorn, beside the original (test_app.py),
 * against a real server started here with {@code --python examples/fastapi/tasks.py}. Needs
 * Debian's python3-fastapi and python3-uvicorn (.ci/run installs them; under CI=true their absence
 * fails the test).
 */
class FastApiExampleTest {
  @Test
  void fastApiAppOnOffloadAnswersLikeTheOriginal(@TempDir Path tmp) throws Exception {
    String python = PythonEnv.python("fastapi", "uvicorn");
    Path example = PythonEnv.REPO.resolve("examples/fastapi");
    CliTest.Serving server =
        PythonEnv.launch(
            "listening on (http://\\S+)",
            "serve",
            "--port",
            "0",
            "--store",
            "sqlite:" + tmp.resolve("offload.db"),
            "--python",
            example.resolve("tasks.py").toString(),
            "--python-children",
            "2",
            "--python-interpreter",
            python);
    try {
      PythonEnv.Run run =
          PythonEnv.run(
              example,
              Map.of("OFFLOAD_URL", server.url()),
              300,
              python,
              "-m",
              "unittest",
              "-v",
              "test_app");
      assertThat(run.code()).as(run.tail()).isZero();
      assertThat(run.output()).contains("Ran 4 tests", "\nOK").doesNotContain("skipped");
    } finally {
      server.stop();
    }
  }
}
