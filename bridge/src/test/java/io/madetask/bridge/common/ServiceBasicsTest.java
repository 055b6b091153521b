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
        given().when().get("/q/health/ready")
                .then().statusCode(200)
                .body("status", equalTo("UP"))
                .body("checks.name", hasItem("Reactive PostgreSQL connections health check"));
        given().when().get("/q/health/live").then().statusCode(200).body("status", equalTo("UP"));
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
}
