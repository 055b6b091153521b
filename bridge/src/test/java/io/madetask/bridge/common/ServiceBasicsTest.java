package io.madetask.bridge.common;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasKey;
import static org.hamcrest.Matchers.matchesPattern;

import java.time.Duration;
import java.util.List;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.madetask.bridge.testing.SandboxResource;
import io.madetask.bridge.testing.SandboxTest;
import io.madetask.bridge.testing.Management;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.mutiny.sqlclient.Pool;

/** What every caller and every probe relies on: health, the schema, request ids, problem answers, OpenAPI. */
@QuarkusTest
@WithTestResource(SandboxResource.class)
class ServiceBasicsTest extends SandboxTest {

    @Inject
    Pool pool;

    @Test
    void readinessReportsTheDatabaseUp() {
        Management.given().when().get("/q/health/ready")
                .then().statusCode(200)
                .body("status", equalTo("UP"))
                .body("checks.name", hasItem("Reactive PostgreSQL connections health check"));
        Management.given().when().get("/q/health/live").then().statusCode(200).body("status", equalTo("UP"));
    }

    @Test
    void flywayOwnsTheSchema() {
        long migrations = pool.query("select count(*) from flyway_schema_history where success").execute()
                .await().atMost(Duration.ofSeconds(10)).iterator().next().getLong(0);
        long cursorRows = pool.query("select count(*) from madetask_event_cursor").execute()
                .await().atMost(Duration.ofSeconds(10)).iterator().next().getLong(0);
        org.assertj.core.api.Assertions.assertThat(migrations).isGreaterThanOrEqualTo(1);
        org.assertj.core.api.Assertions.assertThat(cursorRows).isEqualTo(1);
    }

    @Test
    void requestIdIsEchoedOrMade() {
        String token = sandbox.devToken("maria", List.of("manager"), null);
        given().auth().oauth2(token).header("X-Request-Id", "crm-req-42").when().get("/api/v1/me")
                .then().statusCode(200).header("X-Request-Id", "crm-req-42");
        given().auth().oauth2(token).when().get("/api/v1/me")
                .then().statusCode(200).header("X-Request-Id", matchesPattern("[0-9a-f-]{36}"));
    }

    @Test
    void unknownPathGets404ProblemWithRequestId() {
        given().auth().oauth2(sandbox.devToken("maria", List.of("manager"), null))
                .header("X-Request-Id", "crm-req-404")
                .when().get("/api/v1/no-such-thing")
                .then().statusCode(404)
                .contentType("application/problem+json")
                .body("code", equalTo("not_found"))
                .body("requestId", equalTo("crm-req-404"));
    }

    @Test
    void madeTaskDownIsA503ProblemNotAStackTrace() {
        var faults = sandbox.faults();
        faults.errorRate = 1.0;
        sandbox.applyFaults(faults);
        try {
            given().auth().oauth2(sandbox.devToken("maria", List.of("manager"), null))
                    .when().get("/api/v1/madetask/balance")
                    .then().statusCode(503)
                    .contentType("application/problem+json")
                    .body("code", org.hamcrest.Matchers.oneOf("madetask_unavailable", "madetask_circuit_open"));
        } finally {
            resetSandbox();
        }
    }

    @Test
    void openApiDescribesTheApi() {
        given().accept("application/json").when().get("/q/openapi")
                .then().statusCode(200)
                .body("paths", hasKey("/api/v1/me"))
                .body("paths", hasKey("/api/v1/madetask/balance"));
    }

    @Test
    void controlCharactersPagesTooFarAndMissingFieldsAre400NeverA500() {
        String manager = sandbox.devToken("maria", List.of("manager"), null);
        String admin = sandbox.devToken("root", List.of("admin"), null);
        // NUL and other control characters in path ids and filters: refused before any SQL
        for (String path : List.of("/api/v1/payouts/%00", "/api/v1/payout-batches/po%00x", "/api/v1/tasks/%01",
                "/api/v1/payouts?status=%00", "/api/v1/executors?q=%00", "/api/v1/tasks?executorCrmId=a%00b")) {
            given().auth().oauth2(manager).urlEncodingEnabled(false).when().get(path)
                    .then().statusCode(400).contentType("application/problem+json")
                    .body("code", equalTo("validation_failed"));
        }
        for (String path : List.of("/api/v1/notifications/%00", "/api/v1/sync/jobs/%00", "/api/v1/audit?entityId=%00")) {
            given().auth().oauth2(admin).urlEncodingEnabled(false).when().get(path)
                    .then().statusCode(400).body("code", equalTo("validation_failed"));
        }
        // NUL inside a JSON string: a field error of that field
        given().auth().oauth2(manager).contentType("application/json")
                .body("{\"fullName\":\"Ива\\u0000н\",\"phone\":\"+79161234567\",\"email\":\"a@b.ru\","
                        + "\"inn\":\"500100732259\",\"taxStatus\":\"SELF_EMPLOYED\","
                        + "\"payoutMethod\":{\"type\":\"CARD\",\"cardNumber\":\"4111111111111111\"}}")
                .when().put("/api/v1/executors/nul-1")
                .then().statusCode(400).body("code", equalTo("validation_failed"))
                .body("errors.field", hasItem("fullName"));
        given().auth().oauth2(manager).contentType("application/json")
                .body("{\"taskCrmIds\":[\"a\\u0000\"]}").when().post("/api/v1/payout-batches")
                .then().statusCode(400).body("code", equalTo("validation_failed"));
        // A page so far that page x size overflows: 400, not a negative OFFSET
        given().auth().oauth2(manager).when().get("/api/v1/payouts?page=2147483647&size=500")
                .then().statusCode(400).body("errors.field", hasItem("page"));
        given().auth().oauth2(manager).when().get("/api/v1/tasks?page=2147483647")
                .then().statusCode(400).body("errors.field", hasItem("page"));
        // Parameters that do not convert, and a batch-item status that does not exist
        for (String path : List.of("/api/v1/payouts?from=yesterday", "/api/v1/tasks?page=abc",
                "/api/v1/tasks?page=99999999999999999999", "/api/v1/payout-batches/pb-x/items?status=NOPE")) {
            given().auth().oauth2(manager).when().get(path).then().statusCode(400)
                    .contentType("application/problem+json").body("code", equalTo("validation_failed"));
        }
        // A lone UTF-16 surrogate is no character: refused, not stored as "?"
        given().auth().oauth2(manager).contentType("application/json")
                .body("{\"fullName\":\"\\ud800\",\"phone\":\"+79161234567\",\"email\":\"a@b.ru\","
                        + "\"inn\":\"500100732259\",\"taxStatus\":\"SELF_EMPLOYED\","
                        + "\"payoutMethod\":{\"type\":\"CARD\",\"cardNumber\":\"4111111111111111\"}}")
                .when().put("/api/v1/executors/surrogate-1")
                .then().statusCode(400).body("errors.field", hasItem("fullName"));
        // A status change without a status
        for (String body : List.of("{}", "{\"status\":null}")) {
            given().auth().oauth2(manager).contentType("application/json").body(body)
                    .when().post("/api/v1/tasks/no-such-task/status")
                    .then().statusCode(400).body("code", equalTo("validation_failed"));
        }
    }

    @Test
    void answersTellBrowsersNotToSniffFrameOrKeepThem() {
        String manager = sandbox.devToken("maria", List.of("manager"), null);
        given().auth().oauth2(manager).when().get("/api/v1/executors").then().statusCode(200)
                .header("X-Content-Type-Options", "nosniff")
                .header("X-Frame-Options", "DENY")
                .header("Cache-Control", "no-store")
                .header("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'");
        // refusals too: a problem answer may carry ids
        given().when().get("/api/v1/executors").then().statusCode(401)
                .header("X-Content-Type-Options", "nosniff").header("Cache-Control", "no-store");
        Management.given().when().get("/q/health/live").then().statusCode(200)
                .header("X-Content-Type-Options", "nosniff").header("X-Frame-Options", "DENY");
    }

    @Test
    void aBodyOverTheLimitIs413ProblemJson() {
        String manager = sandbox.devToken("maria", List.of("manager"), null);
        // A raw client: the bridge answers as soon as it reads the headers and then closes the connection, so a client
        // that insists on writing all 2 MB may get a broken pipe before it reads the answer (rest-assured did, once in
        // a CI run). The answer itself is what is checked: it is sent before any of the body is read.
        try (java.net.Socket socket = new java.net.Socket("localhost", io.restassured.RestAssured.port)) {
            socket.setSoTimeout(10_000);
            java.io.OutputStream out = socket.getOutputStream();
            out.write(("POST /api/v1/payout-batches HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer " + manager
                    + "\r\nContent-Type: application/json\r\nContent-Length: " + (2 * 1024 * 1024) + "\r\n\r\n"
                    + "{\"taskCrmIds\":[\"xxxx").getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            out.flush();
            String answer = new String(socket.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            org.assertj.core.api.Assertions.assertThat(answer).startsWith("HTTP/1.1 413")
                    .containsIgnoringCase("content-type: application/problem+json")
                    .contains("\"code\":\"payload_too_large\"");
        } catch (java.io.IOException e) {
            throw new AssertionError("No answer to an oversized body", e);
        }
    }

    @Test
    void idsInRefusedPathsNeverBecomeMeterLabels() {
        String manager = sandbox.devToken("maria", List.of("manager"), null);
        given().auth().oauth2(manager).urlEncodingEnabled(false).when().get("/api/v1/payouts/leaky-id-4711%00")
                .then().statusCode(400);
        given().auth().oauth2(manager).when().get("/api/v1/tasks/leaky-id-4712").then().statusCode(404);
        given().when().get("/api/v1/executors/leaky-id-4713").then().statusCode(401);
        given().auth().oauth2(manager).when().delete("/api/v1/executors/leaky-id-4714").then().statusCode(405);
        given().auth().oauth2(manager).contentType("text/plain").body("x").when().put("/api/v1/executors/leaky-id-4715")
                .then().statusCode(415);
        given().auth().oauth2(manager).when().get("/api/v1/executors/leaky-id-4716/nothing-here").then().statusCode(404);
        given().auth().oauth2(manager).when().post("/api/v1/payouts/leaky-id-4717/retry").then().statusCode(403);
        String metrics = Management.given().when().get("/q/metrics").then().statusCode(200).extract().asString();
        org.assertj.core.api.Assertions.assertThat(metrics).doesNotContain("leaky-id");
    }

    @Test
    void healthAndMetricsAreServedOnTheManagementPortOnly() {
        given().when().get("/q/health/ready").then().statusCode(404);
        given().when().get("/q/metrics").then().statusCode(404);
        Management.given().when().get("/q/metrics").then().statusCode(200)
                .body(org.hamcrest.Matchers.containsString("bridge_outbox_depth"))
                .header("X-Content-Type-Options", "nosniff").header("Cache-Control", "no-store");
    }

    @Test
    void requestsOverTheLimitsAreProblemJsonNotEmptyAnswers() {
        String manager = sandbox.devToken("maria", List.of("manager"), null);
        given().auth().oauth2(manager).when().get("/api/v1/executors?q=" + "a".repeat(10_000))
                .then().statusCode(414).contentType("application/problem+json").body("code", equalTo("uri_too_long"));
        given().auth().oauth2(manager).header("X-Padding", "a".repeat(100_000)).when().get("/api/v1/executors")
                .then().statusCode(431).contentType("application/problem+json")
                .body("code", equalTo("headers_too_large"));
        io.restassured.specification.RequestSpecification many = given().auth().oauth2(manager);
        for (int i = 0; i < 400; i++) {
            many.header("X-Padding-" + i, "a".repeat(100));
        }
        many.when().get("/api/v1/executors").then().statusCode(431).body("code", equalTo("headers_too_large"));
        // under the limits, the same requests are served
        given().auth().oauth2(manager).when().get("/api/v1/executors?q=" + "a".repeat(6_000)).then().statusCode(200);
        given().auth().oauth2(manager).header("X-Padding", "a".repeat(20_000)).when().get("/api/v1/executors")
                .then().statusCode(200);
    }

    @Test
    void aClientTricklingItsBodyIsCutOffWith408() throws Exception {
        String manager = sandbox.devToken("maria", List.of("manager"), null);
        String answer = io.madetask.bridge.testing.TricklingClient.send(io.restassured.RestAssured.port,
                "POST /api/v1/payout-batches HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer " + manager
                        + "\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n");
        org.assertj.core.api.Assertions.assertThat(answer).startsWith("HTTP/1.1 408")
                .contains("application/problem+json").contains("\"code\":\"request_timeout\"");
    }
}
