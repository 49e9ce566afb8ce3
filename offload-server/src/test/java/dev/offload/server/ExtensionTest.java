package dev.offload.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.offload.Offload;
import org.junit.jupiter.api.Test;

/** An extension adds routes, may take over "/", and answers in the API's shapes. */
class ExtensionTest {
  @Test
  void anExtensionServesRootAndUsesTheContext() {
    ServerExtension dashboard =
        (routing, ctx) -> {
          routing.get("/", (req, res) -> res.send("dashboard"));
          routing.get(
              "/dashboard/counts",
              (req, res) ->
                  ctx.sendJson(
                      res,
                      200,
                      ctx.objectMapper()
                          .createObjectNode()
                          .put("jobs", ctx.offload().counts().totals().size())));
          routing.get(
              "/dashboard/fail",
              (req, res) ->
                  ctx.sendProblem(
                      res, new ProblemException(ProblemType.INVALID_PARAMETER, "nope")));
        };
    try (Offload offload = Offload.builder().workers(false).build()) {
      OffloadServer server =
          OffloadServer.builder(offload)
              .port(0)
              .discoverExtensions(false)
              .addExtension(dashboard)
              .build()
              .start();
      try (RawHttp http = new RawHttp(server.url())) {
        assertThat(http.get("/").text()).isEqualTo("dashboard");
        assertThat(http.get("/dashboard/counts").json().get("jobs").asInt()).isEqualTo(6);
        HttpApiTest.assertProblem(http.get("/dashboard/fail"), 400, "invalid-parameter");
        assertThat(http.get("/health/live").status()).isEqualTo(200);
      } finally {
        server.stop();
      }
    }
  }
}
