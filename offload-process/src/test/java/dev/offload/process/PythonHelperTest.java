package dev.offload.process;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The jar bundles the one Python package (clients/python/src/offload), file for file. Its own unit
 * tests (clients/python/tests) run from offload-cli's PythonSuiteTest against a real server.
 */
class PythonHelperTest {
  static final Path PACKAGE = Path.of("../clients/python/src/offload");

  @Test
  void bundledFileListMatchesThePackageFolder() throws IOException {
    try (Stream<Path> files = Files.list(PACKAGE)) {
      assertThat(
              files
                  .filter(Files::isRegularFile)
                  .map(p -> p.getFileName().toString())
                  .filter(n -> n.endsWith(".py") || n.equals("py.typed")))
          .containsExactlyInAnyOrderElementsOf(ProcessExecutor.PYTHON_PACKAGE);
    }
  }

  @Test
  void extractedPackageHasEveryFileWithTheSourceContent() throws IOException {
    Path dir = ProcessExecutor.extractPythonHelper();
    for (String name : ProcessExecutor.PYTHON_PACKAGE) {
      assertThat(dir.resolve("offload").resolve(name))
          .hasSameBinaryContentAs(PACKAGE.resolve(name));
    }
  }
}
