package dev.offload.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.offload.Offload;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** The OpenAPI document and the routes the server registers are the same set, both ways. */
class OpenApiDocumentTest {
  static JsonNode document() throws Exception {
    try (InputStream in =
        OffloadServer.class.getResourceAsStream("/dev/offload/server/openapi.json")) {
      return new ObjectMapper().readTree(in);
    }
  }

  @Test
  void everyRouteIsDocumentedAndEveryDocumentedRouteExists() throws Exception {
    JsonNode doc = document();
    TreeSet<String> documented = new TreeSet<>();
    for (Iterator<Map.Entry<String, JsonNode>> paths = doc.get("paths").properties().iterator();
        paths.hasNext(); ) {
      Map.Entry<String, JsonNode> path = paths.next();
      if (path.getValue().has("x-served-by")) {
        continue; // served by an extension module (/metrics), not by the API's route table
      }
      for (Iterator<String> methods = path.getValue().fieldNames(); methods.hasNext(); ) {
        documented.add(methods.next().toUpperCase(Locale.ROOT) + " " + path.getKey());
      }
    }
    try (Offload offload = Offload.builder().workers(false).build()) {
      OffloadServer server =
          OffloadServer.builder(offload).port(0).discoverExtensions(false).build();
      assertThat(new TreeSet<>(server.routes())).isEqualTo(documented);
    }
  }

  @Test
  void everyProblemTypeIsListedAndEveryReferenceResolves() throws Exception {
    JsonNode doc = document();
    assertThat(doc.get("openapi").asText()).isEqualTo("3.1.0");
    List<String> types = new ArrayList<>();
    JsonNode type = doc.at("/components/schemas/Problem/properties/type");
    // Open, not an enum: a client generated from the document must survive a new type.
    assertThat(type.has("enum")).isFalse();
    type.get("examples").forEach(t -> types.add(t.asText()));
    for (ProblemType t : ProblemType.values()) {
      assertThat(types).contains(t.uri());
    }
    List<String> refs = doc.findValuesAsText("$ref");
    assertThat(refs).isNotEmpty();
    for (String ref : refs) {
      assertThat(doc.at(ref.substring(1)).isMissingNode()).as(ref).isFalse();
    }
  }
}
