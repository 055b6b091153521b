package io.madetask.bridge.app;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.madetask.bridge.testing.Bodies;
import io.madetask.bridge.testing.ConnectedSandboxTest;
import io.madetask.bridge.testing.PackagedAppResource;
import io.madetask.bridge.testing.Management;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusIntegrationTest;
import io.restassured.http.ContentType;

/**
 * The packaged application (the jar here; the native binary where GraalVM exists), in its production profile: it
 * serves the API, syncs with MadeTask, and writes JSON logs that carry the request id and never personal data.
 */
@QuarkusIntegrationTest
@WithTestResource(PackagedAppResource.class)
class ProductionJarIT extends ConnectedSandboxTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void servesTheApiAndLogsJsonWithRequestIdsAndNoPersonalData() throws IOException {
        Management.given().get("/q/health/ready").then().statusCode(200).body("status", equalTo("UP"));
        // every meter docs/operations.md documents exists from start-up, before any work, with its HELP text
        String metrics = Management.given().get("/q/metrics").then().statusCode(200).extract().asString();
        List<String> documented = new ArrayList<>();
        java.util.regex.Matcher row = java.util.regex.Pattern.compile("(?m)^\\| `(bridge_[a-z_]+)`")
                .matcher(Files.readString(Path.of("../docs/operations.md")));
        while (row.find()) {
            documented.add(row.group(1));
        }
        assertThat(documented).hasSizeGreaterThanOrEqualTo(10);
        for (String meter : documented) {
            // a counter's HELP line names the family, without the _total of its samples
            String family = meter.endsWith("_total") ? meter.substring(0, meter.length() - 6) : meter;
            assertThat(metrics).as(meter).containsPattern("(?m)^# HELP " + family + " \\S");
        }
        assertThat(metrics).contains("bridge_payouts_total{outcome=\"PAID\"} 0.0");
        // health and metrics are on the management port only
        given().get("/q/health/ready").then().statusCode(404);
        given().get("/q/metrics").then().statusCode(404);
        // Swagger UI is off in production unless configured on
        given().get("/q/swagger-ui/").then().statusCode(404);

        String crmId = "ex-it-" + System.nanoTime();
        String requestId = api.manager().contentType(ContentType.JSON)
                .body(Bodies.executor("Упакованный", Bodies.PHONE, "packed@example.ru", Bodies.CARD))
                .put("/api/v1/executors/" + crmId).then().statusCode(201).extract().header("X-Request-Id");
        api.awaitSynced("executors", crmId);
        // a refusal that names the field, never its value
        api.manager().contentType(ContentType.JSON)
                .body(Bodies.executor("Ошибочный", "+7903", "wrong@example.ru", "4111111111111112"))
                .put("/api/v1/executors/" + crmId + "-bad").then().statusCode(400)
                .contentType("application/problem+json");
        given().get("/q/openapi").then().statusCode(200);

        Path log = Path.of("target", "quarkus.log");
        await().atMost(Duration.ofSeconds(10)).until(() -> Files.readString(log).contains(crmId));
        List<JsonNode> lines = new ArrayList<>();
        for (String line : Files.readAllLines(log)) {
            if (line.isBlank()) {
                continue;
            }
            JsonNode json = JSON.readTree(line);
            assertThat(json.has("message") && json.has("level") && json.has("timestamp"))
                    .as("a JSON log object: %s", line).isTrue();
            lines.add(json);
        }
        assertThat(lines).anySatisfy(l -> {
            assertThat(l.get("message").asText()).contains("executor.create").contains(crmId);
            assertThat(l.at("/mdc/requestId").asText()).isEqualTo(requestId);
        });
        String all = Files.readString(log);
        assertThat(all).doesNotContain(Bodies.PHONE).doesNotContain(Bodies.PHONE.substring(1))
                .doesNotContain(Bodies.INN).doesNotContain(Bodies.CARD).doesNotContain("packed@example.ru")
                .doesNotContain("wrong@example.ru").doesNotContain("4111111111111112");
    }
}
