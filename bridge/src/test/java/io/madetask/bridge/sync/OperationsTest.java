package io.madetask.bridge.sync;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.notNullValue;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import io.madetask.sandbox.SandboxFaults;
import io.madetask.bridge.testing.BridgeApi;
import io.madetask.bridge.testing.ConnectedSandboxTest;
import io.madetask.bridge.testing.SandboxResource;
import io.madetask.bridge.testing.Management;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;

/** What the on-call engineer sees: the sync status, the meters on /q/metrics, and the health checks. */
@QuarkusTest
@WithTestResource(SandboxResource.class)
class OperationsTest extends ConnectedSandboxTest {

    /** The value of one Prometheus sample, by name and labels in any order; -1 when absent. */
    static double metric(String metrics, String name, String... labels) {
        Pattern line = Pattern.compile("^" + Pattern.quote(name) + "(?:\\{([^}]*)\\})? (\\S+)$", Pattern.MULTILINE);
        Matcher m = line.matcher(metrics);
        double total = -1;
        while (m.find()) {
            String have = m.group(1) == null ? "" : m.group(1);
            boolean all = true;
            for (String label : labels) {
                all &= have.contains(label);
            }
            if (all) {
                total = Math.max(total, 0) + Double.parseDouble(m.group(2));
            }
        }
        return total;
    }

    /** The bridge's own samples, for failure messages. */
    static String ours(String metrics) {
        return metrics.lines().filter(l -> l.startsWith("bridge_")).reduce("", (a, b) -> a + "\n" + b);
    }

    @Test
    void withoutACrmCallbackUrlNotificationsAreRecordedUnsentNotLeftWaiting() {
        String executor = api.putExecutor("Неотправленный");
        api.awaitSynced("executors", executor);
        await().atMost(BridgeApi.WAIT).untilAsserted(() -> api.admin().queryParam("entityId", executor)
                .get("/api/v1/notifications").then().statusCode(200)
                .body("items.type", hasItems("executor.synced"))
                .body("items.status", everyItem(equalTo("UNSENT"))));
        api.manager().get("/api/v1/sync/status").then().statusCode(200)
                .body("work.find { it.kind == 'NOTIFICATION' }.pending", equalTo(0));
        String metrics = Management.given().get("/q/metrics").then().statusCode(200).extract().asString();
        assertThat(metric(metrics, "bridge_outbox_depth", "kind=\"NOTIFICATION\"")).as(ours(metrics)).isZero();
        String id = api.admin().queryParam("entityId", executor).get("/api/v1/notifications").then()
                .extract().path("items[0].id");
        api.admin().post("/api/v1/notifications/" + id + "/redeliver").then().statusCode(409)
                .contentType("application/problem+json").body("code", equalTo("notifications_not_configured"));
        api.admin().queryParam("status", "UNSENT").get("/api/v1/notifications").then().statusCode(200)
                .body("items.id", hasItems(id));
    }

    @Test
    void afterAPayoutFlowStatusAndMetersTellWhatHappened() {
        String executor = api.putExecutor("Наблюдаемый");
        api.awaitSynced("executors", executor);
        sandbox.completeRegistration(api.madetaskId("executors", executor));
        String task = api.putTask(executor, "Под наблюдением", "99.90");
        api.awaitSynced("tasks", task);
        sandbox.executorMove(api.madetaskId("tasks", task), "start");
        api.awaitTaskStatus(task, "IN_PROGRESS");

        // the payout call meets a 429 and a 503 before it passes
        SandboxFaults faults = sandbox.faults();
        faults.faultPathRegex = "POST /api/v1/payouts";
        faults.scripted = List.of("RATE_LIMITED", "ERROR_503");
        sandbox.applyFaults(faults);
        try {
            api.manager().contentType(ContentType.JSON).body("{\"status\":\"ACCEPTED\"}")
                    .post("/api/v1/tasks/" + task + "/status").then().statusCode(200);
            api.awaitTaskStatus(task, "PAID");
        } finally {
            SandboxFaults clean = sandbox.faults();
            clean.faultPathRegex = null;
            clean.scripted = List.of();
            sandbox.applyFaults(clean);
        }
        // a forged event is refused
        given().contentType(ContentType.JSON).header("MadeTask-Signature", "t=1,v1=00").body("{}")
                .post("/webhooks/madetask").then().statusCode(401);

        await().atMost(BridgeApi.WAIT).untilAsserted(() -> api.manager().get("/api/v1/sync/status").then()
                .statusCode(200)
                .body("madetask.circuit", equalTo("CLOSED"))
                .body("madetask.reachable", equalTo(true))
                .body("madetask.lastAnswerAt", notNullValue())
                .body("work.kind", hasItems("EXECUTOR_SYNC", "TASK_SYNC", "PAYOUT", "NOTIFICATION", "EVENT"))
                .body("work.find { it.kind == 'TASK_SYNC' }.pending", equalTo(0))
                .body("work.find { it.kind == 'PAYOUT' }.pending", equalTo(0))
                .body("work.find { it.kind == 'PAYOUT' }.processing", equalTo(0))
                .body("lastEvent.id", notNullValue())
                .body("lastCatchUp.outcome", equalTo("OK"))
                .body("lastReconciliation.outcome", equalTo("OK")));
        api.executor(executor).get("/api/v1/sync/status").then().statusCode(403);
        given().get("/api/v1/sync/status").then().statusCode(401);

        await().atMost(BridgeApi.WAIT).untilAsserted(() -> {
            String metrics = Management.given().get("/q/metrics").then().statusCode(200).extract().asString();
            assertThat(metric(metrics, "bridge_payouts_total", "outcome=\"PAID\"")).as("bridge_payouts_total" + " in " + ours(metrics))
                    .isGreaterThanOrEqualTo(1);
            assertThat(metric(metrics, "bridge_payouts_total", "outcome=\"PROCESSING\"")).as("bridge_payouts_total" + " in " + ours(metrics))
                    .isGreaterThanOrEqualTo(1);
            assertThat(metric(metrics, "bridge_madetask_calls_seconds_count", "operation=\"payout.create\"",
                    "outcome=\"success\"")).as("bridge_madetask_calls_seconds_count" + " in " + ours(metrics))
                    .isGreaterThanOrEqualTo(1);
            assertThat(metric(metrics, "bridge_madetask_calls_seconds_sum", "operation=\"executor.create\"")).as("bridge_madetask_calls_seconds_sum" + " in " + ours(metrics))
                    .isGreaterThan(0);
            assertThat(metric(metrics, "bridge_madetask_rate_limited_total")).as("bridge_madetask_rate_limited_total" + " in " + ours(metrics))
                    .isGreaterThanOrEqualTo(1);
            assertThat(metric(metrics, "bridge_madetask_retries_total", "operation=\"payout.create\"")).as("bridge_madetask_retries_total" + " in " + ours(metrics))
                    .isGreaterThanOrEqualTo(2);
            assertThat(metric(metrics, "bridge_madetask_events_total", "source=\"webhook\"", "outcome=\"APPLIED\"")).as("bridge_madetask_events_total" + " in " + ours(metrics))
                    .isGreaterThanOrEqualTo(1);
            assertThat(metric(metrics, "bridge_madetask_events_total", "outcome=\"REJECTED_MISMATCH\"")).as("bridge_madetask_events_total" + " in " + ours(metrics))
                    .isGreaterThanOrEqualTo(1);
            assertThat(metrics).contains("bridge_madetask_circuit_state 0.0");
            assertThat(metric(metrics, "bridge_outbox_depth", "kind=\"PAYOUT\"")).as("bridge_outbox_depth" + " in " + ours(metrics))
                    .isEqualTo(0);
            assertThat(metric(metrics, "bridge_outbox_oldest_age_seconds", "kind=\"TASK_SYNC\"")).as("bridge_outbox_oldest_age_seconds" + " in " + ours(metrics))
                    .isEqualTo(0);
        });
    }

    @Test
    void readinessReportsDatabaseAndMadeTaskAndLivenessStaysSimple() {
        // (a test class before this one on the same application may have left the breaker open for a moment)
        await().atMost(BridgeApi.WAIT).untilAsserted(() -> Management.given().get("/q/health/ready").then()
                .body("checks.find { it.name == 'MadeTask' }.data.circuit", equalTo("CLOSED")));
        Management.given().get("/q/health/ready").then().statusCode(200)
                .body("status", equalTo("UP"))
                .body("checks.find { it.name == 'MadeTask' }.status", equalTo("UP"))
                .body("checks.name", hasItems("MadeTask"))
                .body("checks.find { it.name.contains('Reactive PostgreSQL') }.status", equalTo("UP"));
        Management.given().get("/q/health/live").then().statusCode(200).body("status", equalTo("UP"));
    }
}
