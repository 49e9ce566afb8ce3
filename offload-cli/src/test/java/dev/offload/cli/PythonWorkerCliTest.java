package dev.offload.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.offload.Job;
import dev.offload.JobSpec;
import dev.offload.JobState;
import dev.offload.client.OffloadClient;
import dev.offload.client.OffloadHttpException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --python FILE} on serve and worker, with real Python children: the file's tasks are listed
 * and run, and the pool settings (hard time limit, memory limit, recycling) hold.
 */
class PythonWorkerCliTest {
  static final Path TASKS = Path.of("src/test/python/cli_tasks.py").toAbsolutePath();
  static String python;

  @BeforeAll
  static void findPython() {
    python = PythonEnv.python();
  }

  static CliTest.Serving serve(Path tmp, String... more) {
    String[] base = {
      "--port",
      "0",
      "--store",
      "sqlite:" + tmp.resolve("offload.db"),
      "--python",
      TASKS.toString(),
      "--python-interpreter",
      python
    };
    String[] all = new String[base.length + more.length];
    System.arraycopy(base, 0, all, 0, base.length);
    System.arraycopy(more, 0, all, base.length, more.length);
    return PythonEnv.launch("listening on (http://\\S+)", prepend("serve", all));
  }

  static String[] prepend(String first, String[] rest) {
    String[] all = new String[rest.length + 1];
    all[0] = first;
    System.arraycopy(rest, 0, all, 1, rest.length);
    return all;
  }

  @Test
  void serveListsAndRunsTheFilesTasks(@TempDir Path tmp) throws Exception {
    CliTest.Serving s = serve(tmp, "--python-children", "1");
    try (OffloadClient client = OffloadClient.create(s.url())) {
      assertThat(s.out().toString()).contains("whoami", "runaway", "hog", "nap");
      OffloadClient.TaskInfo whoami =
          client.tasks().stream().filter(t -> t.name().equals("whoami")).findFirst().orElseThrow();
      assertThat(whoami.description()).isEqualTo("Returns the child's pid");
      assertThat(whoami.inputSchema().at("/properties/tag/type").asText()).isEqualTo("string");
      assertThat(client.tasks()).extracting(OffloadClient.TaskInfo::name).contains("spin");

      JsonNode out = client.run("whoami", Map.of("tag", "hi"));
      assertThat(out.get("tag").asText()).isEqualTo("hi");
      assertThat(out.get("pid").asLong()).isNotEqualTo(ProcessHandle.current().pid());

      assertThatThrownBy(() -> client.run("whoami", Map.of("tag", 5)))
          .isInstanceOfSatisfying(
              OffloadHttpException.class,
              e -> {
                assertThat(e.status()).isEqualTo(422);
                assertThat(e.problem().get("field").asText()).isEqualTo("input.tag");
              });

      Job job = client.submit(JobSpec.of("nap", Map.of("s", 0.05)));
      assertThat(client.await(job.id(), Duration.ofSeconds(30)).state())
          .isEqualTo(JobState.SUCCEEDED);
    } finally {
      s.stop();
    }
  }

  @Test
  void hardTimeLimitKillsARunawayAndMemoryLimitStopsAHog(@TempDir Path tmp) throws Exception {
    CliTest.Serving s =
        serve(
            tmp,
            "--python-children",
            "1",
            "--python-time-limit",
            "1s",
            "--python-max-memory",
            "256m");
    try (OffloadClient client = OffloadClient.create(s.url())) {
      long before = client.run("whoami", Map.of()).get("pid").asLong();
      Job runaway = client.submit(JobSpec.of("runaway", Map.of()).maxAttempts(1));
      Job ended = client.await(runaway.id(), Duration.ofSeconds(30));
      assertThat(ended.state()).isEqualTo(JobState.FAILED);
      assertThat(ended.error().type()).isEqualTo("timeout");

      Job hog = client.submit(JobSpec.of("hog", Map.of("mb", 1024)).maxAttempts(1));
      Job hogged = client.await(hog.id(), Duration.ofSeconds(30));
      assertThat(hogged.state()).isEqualTo(JobState.FAILED);
      assertThat(hogged.error().type()).isEqualTo("crashed");
      assertThat(hogged.error().message()).containsIgnoringCase("memory");

      // Both children were replaced, and the pool still works.
      long after = client.run("whoami", Map.of()).get("pid").asLong();
      assertThat(after).isNotEqualTo(before);
      assertThat(client.run("hog", Map.of("mb", 16)).get("n").asLong()).isEqualTo(16L << 20);
    } finally {
      s.stop();
    }
  }

  @Test
  void childrenAreRecycled(@TempDir Path tmp) throws Exception {
    CliTest.Serving s = serve(tmp, "--python-children", "1", "--python-recycle", "2");
    try (OffloadClient client = OffloadClient.create(s.url())) {
      Set<Long> pids = new HashSet<>();
      for (int i = 0; i < 6; i++) {
        pids.add(client.run("whoami", Map.of()).get("pid").asLong());
      }
      assertThat(pids).hasSize(3);
    } finally {
      s.stop();
    }
  }

  @Test
  void workerRunsTheFilesJobsFromASharedStore(@TempDir Path tmp) throws Exception {
    CliTest.Serving api = serve(tmp, "--no-workers");
    CliTest.Serving worker =
        PythonEnv.launch(
            "(Offload worker on .*)",
            "worker",
            "--store",
            "sqlite:" + tmp.resolve("offload.db"),
            "--python",
            TASKS.toString(),
            "--python-interpreter",
            python,
            "--python-children",
            "1");
    try (OffloadClient client = OffloadClient.create(api.url())) {
      assertThat(worker.url()).contains("whoami");
      Job job = client.submit(JobSpec.of("whoami", Map.of("tag", "from-worker")));
      Job done = client.await(job.id(), Duration.ofSeconds(30));
      assertThat(done.state()).isEqualTo(JobState.SUCCEEDED);
      assertThat(CliTest.JSON.readTree(done.result()).get("tag").asText()).isEqualTo("from-worker");
    } finally {
      worker.stop();
      api.stop();
    }
  }

  @Test
  void badFilesAndSettingsFailWithAUsageError(@TempDir Path tmp) throws Exception {
    Path broken = Files.writeString(tmp.resolve("broken.py"), "import no_such_module_here\n");
    CliTest.Result r =
        CliTest.cli(
            "worker",
            "--store",
            "memory:",
            "--python",
            broken.toString(),
            "--python-interpreter",
            python);
    assertThat(r.code()).isEqualTo(ExitCodes.USAGE);
    assertThat(r.err()).contains("cannot load Python tasks from", "no_such_module_here");

    CliTest.Result missing = CliTest.cli("worker", "--store", "memory:", "--python", "nope.py");
    assertThat(missing.code()).isEqualTo(ExitCodes.USAGE);
    assertThat(missing.err()).contains("no Python tasks file at");

    CliTest.Result orphan = CliTest.cli("worker", "--store", "memory:", "--python-recycle", "3");
    assertThat(orphan.code()).isEqualTo(ExitCodes.USAGE);
    assertThat(orphan.err()).contains("--python-* settings need --python FILE");

    CliTest.Result size =
        CliTest.cli(
            "worker",
            "--store",
            "memory:",
            "--python",
            TASKS.toString(),
            "--python-max-memory",
            "lots");
    assertThat(size.code()).isEqualTo(ExitCodes.USAGE);
    assertThat(size.err()).contains("not a size");
  }
}
