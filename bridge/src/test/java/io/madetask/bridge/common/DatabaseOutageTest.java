package io.madetask.bridge.common;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import io.madetask.bridge.testing.SandboxResource;
import io.madetask.bridge.testing.SandboxTest;
import io.madetask.bridge.testing.StoppableDatabase;
import io.madetask.bridge.testing.Management;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;

/** Readiness follows the database: DOWN when PostgreSQL goes away, UP again when it is back; liveness stays UP. */
@QuarkusTest
@WithTestResource(SandboxResource.class)
@WithTestResource(StoppableDatabase.class)
class DatabaseOutageTest extends SandboxTest {

    @Test
    void readinessGoesDownWithTheDatabaseAndUpWhenItComesBack() {
        Management.given().get("/q/health/ready").then().statusCode(200).body("status", equalTo("UP"));
        String before = api.putExecutor("До сбоя");

        StoppableDatabase.down();
        try {
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> Management.given().get("/q/health/ready").then()
                    .statusCode(503).body("status", equalTo("DOWN"))
                    .body("checks.findAll { it.status == 'DOWN' }.name", hasItem(org.hamcrest.Matchers
                            .containsString("PostgreSQL"))));
            Management.given().get("/q/health/live").then().statusCode(200).body("status", equalTo("UP"));
            // the API says so clearly, with no stack trace or SQL
            api.manager().get("/api/v1/executors/" + before).then().statusCode(503)
                    .contentType("application/problem+json").body("code", equalTo("database_unavailable"));
        } finally {
            StoppableDatabase.up();
        }

        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> Management.given().get("/q/health/ready").then()
                .statusCode(200).body("status", equalTo("UP")));
        api.manager().get("/api/v1/executors/" + before).then().statusCode(200);
        String after = api.putExecutor("После сбоя");
        api.awaitSynced("executors", after);
        api.awaitSynced("executors", before);
    }
}
