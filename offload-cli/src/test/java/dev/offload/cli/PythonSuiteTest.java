package dev.offload.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the Python package's own test suite (clients/python/tests, unittest) against a real server
 * started here: {@code offload serve} on a free port, a temporary SQLite store and the suite's
 * {@code tests/tasks.py} as Python tasks. The suite covers Client, AsyncClient, events, errors, the
 * worker helper, and {@code pip install} into fresh virtual environments.
 */
class PythonSuiteTest {
  @Test
  void pythonClientSuitePasses(@TempDir Path tmp) throws Exception {
    String python = PythonEnv.python();
    Path pkg = PythonEnv.REPO.resolve("clients/python");
    CliTest.Serving server =
        PythonEnv.launch(
            "listening on (http://\\S+)",
            "serve",
            "--port",
            "0",
            "--store",
            "sqlite:" + tmp.resolve("offload.db"),
            "--python",
            pkg.resolve("tests/tasks.py").toString(),
            "--python-children",
            "2",
            "--python-interpreter",
            python);
    try {
      PythonEnv.Run run =
          PythonEnv.run(
              pkg,
              Map.of("OFFLOAD_URL", server.url()),
              900,
              python,
              "-m",
              "unittest",
              "discover",
              "-s",
              "tests",
              "-t",
              "tests",
              "-v");
      assertThat(run.code()).as(run.tail()).isZero();
      Matcher ran = Pattern.compile("Ran (\\d+) tests").matcher(run.output());
      assertThat(ran.find()).as(run.tail()).isTrue();
      assertThat(Integer.parseInt(ran.group(1))).as("tests run").isGreaterThanOrEqualTo(40);
      assertThat(run.output()).contains("\nOK").doesNotContain("skipped");
    } finally {
      server.stop();
    }
  }
}
