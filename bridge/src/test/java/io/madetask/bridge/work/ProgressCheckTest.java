package io.madetask.bridge.work;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import jakarta.inject.Inject;

import org.eclipse.microprofile.health.HealthCheckResponse;
import org.junit.jupiter.api.Test;

import io.madetask.bridge.testing.SandboxResource;
import io.madetask.bridge.testing.Management;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.vertx.core.Vertx;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.SqlConnection;

/**
 * A process that cannot make progress is not alive: liveness goes DOWN while every database connection is held and a
 * caller waits longer than the bound, and while an event loop is blocked; it is UP again once they move. (Bounds are
 * scaled down from 60 s and 10 s; the pool is small so that the test can hold all of it.)
 */
@QuarkusTest
@WithTestResource(SandboxResource.class)
@TestProfile(ProgressCheckTest.Bounds.class)
class ProgressCheckTest {

    public static class Bounds implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("bridge.liveness.pool-stall", "3S", "bridge.liveness.pool-probe-interval", "500MS",
                    "bridge.liveness.event-loop-stall", "2S", "quarkus.datasource.reactive.max-size", "4",
                    "bridge.sync.enabled", "false", "bridge.payouts.enabled", "false");
        }
    }

    @Inject
    Pool pool;

    @Inject
    Vertx vertx;

    @Inject
    @org.eclipse.microprofile.health.Liveness
    ProgressCheck check;

    @Test
    void livenessGoesDownWhileThePoolIsStarvedAndUpWhenItMovesAgain() {
        Management.given().get("/q/health/live").then().statusCode(200).body("status", equalTo("UP"));

        List<SqlConnection> held = new ArrayList<>();
        // Every connection of the pool of 4: one holds the instance's name, these are the other three.
        for (int i = 0; i < 3; i++) {
            held.add(pool.getConnection().await().atMost(Duration.ofSeconds(10)));
        }
        try {
            await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(250)).untilAsserted(() ->
                    Management.given().get("/q/health/live").then().statusCode(503).body("status", equalTo("DOWN")));
        } finally {
            held.forEach(SqlConnection::closeAndForget);
        }
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(250)).untilAsserted(() ->
                Management.given().get("/q/health/live").then().statusCode(200).body("status", equalTo("UP")));
    }

    @Test
    void livenessGoesDownWhileAnEventLoopIsBlocked() throws InterruptedException {
        assertThat(check.call().getStatus()).isEqualTo(HealthCheckResponse.Status.UP);
        CountDownLatch release = new CountDownLatch(1);
        vertx.nettyEventLoopGroup().next().execute(() -> {
            try {
                release.await(20, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        try {
            await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(200))
                    .until(() -> check.call().getStatus() == HealthCheckResponse.Status.DOWN);
        } finally {
            release.countDown();
        }
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(200))
                .until(() -> check.call().getStatus() == HealthCheckResponse.Status.UP);
    }
}
