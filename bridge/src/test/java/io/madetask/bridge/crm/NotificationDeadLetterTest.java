package io.madetask.bridge.crm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;

import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.madetask.bridge.common.Signatures;
import io.madetask.bridge.testing.BridgeApi;
import io.madetask.bridge.testing.ConnectedSandboxTest;
import io.madetask.bridge.testing.CrmCallback;
import io.madetask.bridge.testing.SandboxResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;

/**
 * Notifications a CRM callback never takes end as dead letters: FAILED after their tries, listed for an admin, and
 * sent again on request.
 */
@QuarkusTest
@WithTestResource(SandboxResource.class)
@WithTestResource(CrmCallback.class)
@TestProfile(NotificationDeadLetterTest.FewTries.class)
class NotificationDeadLetterTest extends ConnectedSandboxTest {

    /** Three tries, so that a notification the CRM never takes is FAILED within a second. */
    public static class FewTries implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("bridge.notifications.max-attempts", "3");
        }
    }

    @AfterEach
    void healthyCallback() {
        CrmCallback.healthy();
    }

    @Test
    void payoutFailureIsNotifiedAndNotificationsTheCrmNeverTakesAreListedAndRedeliverable() {
        CrmCallback.FAIL_ALWAYS.set(true);
        String executor = api.putExecutor("Не зарегистрирован");
        String task = api.putTask(executor, "Без регистрации", "70.00");
        api.awaitSynced("tasks", task);
        sandbox.executorMove(api.madetaskId("tasks", task), "start");
        api.awaitTaskStatus(task, "IN_PROGRESS");
        api.manager().contentType(ContentType.JSON).body("{\"status\":\"ACCEPTED\"}")
                .post("/api/v1/tasks/" + task + "/status").then().statusCode(200);
        String payout = api.manager().get("/api/v1/tasks/" + task).then().extract().path("payout.id");

        await().atMost(BridgeApi.WAIT).untilAsserted(() -> api.admin().queryParam("status", "FAILED")
                .queryParam("entityId", payout).get("/api/v1/notifications").then().statusCode(200)
                .body("total", equalTo(1))
                .body("items[0].type", equalTo("payout.failed"))
                .body("items[0].attempts", equalTo(3))
                .body("items[0].lastStatusCode", equalTo(503))
                .body("items[0].data.failureCode", equalTo("EXECUTOR_NOT_PAYABLE")));
        api.admin().queryParam("status", "FAILED").get("/api/v1/notifications").then()
                .body("items.entityId", hasItem(task));
        String id = api.admin().queryParam("status", "FAILED").queryParam("entityId", payout)
                .get("/api/v1/notifications").then().extract().path("items[0].id");
        assertThat(CrmCallback.RECEIVED).noneMatch(r -> id.equals(r.eventId()));

        api.manager().post("/api/v1/notifications/" + id + "/redeliver").then().statusCode(403);
        api.admin().post("/api/v1/notifications/nope/redeliver").then().statusCode(404)
                .contentType("application/problem+json");
        api.admin().queryParam("status", "LOST").get("/api/v1/notifications").then().statusCode(400)
                .body("errors[0].field", equalTo("status"));

        CrmCallback.FAIL_ALWAYS.set(false);
        api.admin().post("/api/v1/notifications/" + id + "/redeliver").then().statusCode(202)
                .body("status", equalTo("PENDING")).body("attempts", equalTo(0));
        await().atMost(BridgeApi.WAIT).untilAsserted(() -> api.admin().get("/api/v1/notifications/" + id).then()
                .body("status", equalTo("DELIVERED")).body("lastStatusCode", equalTo(204)));
        assertThat(CrmCallback.RECEIVED).filteredOn(r -> id.equals(r.eventId())).hasSize(1)
                .allSatisfy(r -> {
                    assertThat(r.signature()).isEqualTo(Signatures.Verdict.VALID);
                    assertThat(r.body().at("/data/failureCode").asText()).isEqualTo("EXECUTOR_NOT_PAYABLE");
                });
        // the others stay listed until someone sends them again
        api.admin().queryParam("status", "FAILED").queryParam("entityId", task).get("/api/v1/notifications")
                .then().body("total", org.hamcrest.Matchers.greaterThan(0));
    }
}
