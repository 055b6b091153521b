package io.madetask.bridge.payout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.startsWith;

import java.util.List;

import org.junit.jupiter.api.Test;

import io.madetask.sandbox.SandboxFaults;
import io.madetask.bridge.testing.BridgeApi;
import io.madetask.bridge.testing.ConnectedSandboxTest;
import io.madetask.bridge.testing.SandboxResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;

/** Accepting a task pays its executor, once; refusals become clear FAILED payouts; an admin can retry. */
@QuarkusTest
@WithTestResource(SandboxResource.class)
class PayoutFlowTest extends ConnectedSandboxTest {

    /** A registered executor's task, started in MadeTask and IN_PROGRESS in the bridge. */
    private String[] startedTask(String reward) {
        String executor = api.putExecutor("Получатель");
        api.awaitSynced("executors", executor);
        sandbox.completeRegistration(api.madetaskId("executors", executor));
        String task = api.putTask(executor, "Оплачиваемая", reward);
        api.awaitSynced("tasks", task);
        sandbox.executorMove(api.madetaskId("tasks", task), "start");
        api.awaitTaskStatus(task, "IN_PROGRESS");
        await().atMost(BridgeApi.WAIT).untilAsserted(() -> api.manager().get("/api/v1/executors/" + executor)
                .then().body("payable", equalTo(true)));
        return new String[] {executor, task};
    }

    @Test
    void acceptingTaskPaysExecutorExactlyOnce() {
        String[] et = startedTask("1234.56");
        String task = et[1];

        api.manager().contentType(ContentType.JSON).body("{\"status\":\"ACCEPTED\"}")
                .post("/api/v1/tasks/" + task + "/status").then().statusCode(200)
                .body("status", equalTo("ACCEPTED"))
                .body("payout.id", startsWith("po-"))
                .body("payout.status", equalTo("PENDING"));
        api.manager().contentType(ContentType.JSON).body("{\"status\":\"ACCEPTED\"}")
                .post("/api/v1/tasks/" + task + "/status").then().statusCode(200);

        api.awaitTaskStatus(task, "PAID");
        String payoutId = api.manager().get("/api/v1/tasks/" + task).then().extract().path("payout.id");
        api.manager().get("/api/v1/payouts/" + payoutId).then().statusCode(200)
                .body("status", equalTo("PAID"))
                .body("amount.amount", equalTo("1234.56"))
                .body("taskCrmId", equalTo(task))
                .body("executorCrmId", equalTo(et[0]))
                .body("receiptUrl", notNullValue())
                .body("paidAt", notNullValue())
                .body("attempts", equalTo(1));
        api.manager().queryParam("taskCrmId", task).get("/api/v1/payouts").then().body("total", equalTo(1));
        api.executor(et[0]).get("/api/v1/me/payouts").then().statusCode(200)
                .body("items.id", equalTo(List.of(payoutId)));
        api.executor("someone-else").get("/api/v1/me/payouts").then().statusCode(200).body("total", equalTo(0));
        api.executor(et[0]).get("/api/v1/payouts/" + payoutId).then().statusCode(403);

        var ledger = sandbox.ledger();
        assertThat(ledger.get("violations")).isEmpty();
        String madetaskTask = api.madetaskId("tasks", task);
        ledger.get("tasks").forEach(row -> {
            if (row.get("task_id").asText().equals(madetaskTask)) {
                assertThat(row.get("payouts_created").asInt()).isEqualTo(1);
                assertThat(row.get("payouts_paid").asInt()).isEqualTo(1);
            }
        });
    }

    @Test
    void businessRefusalBecomesFailedPayoutWithItsReasonAndAdminRetryPaysOnceTheCausePasses() {
        String[] et = startedTask("500.00");
        given("{\"available\":\"100.00\"}");
        try {
            api.manager().contentType(ContentType.JSON).body("{\"status\":\"ACCEPTED\"}")
                    .post("/api/v1/tasks/" + et[1] + "/status").then().statusCode(200);
            String payoutId = api.manager().get("/api/v1/tasks/" + et[1]).then().extract().path("payout.id");
            await().atMost(BridgeApi.WAIT).untilAsserted(() -> api.manager().get("/api/v1/payouts/" + payoutId)
                    .then().body("status", equalTo("FAILED")).body("failureCode", equalTo("INSUFFICIENT_FUNDS")));

            api.manager().post("/api/v1/payouts/" + payoutId + "/retry").then().statusCode(403);
            api.admin().post("/api/v1/payouts/" + payoutId + "/retry").then().statusCode(200)
                    .body("status", equalTo("PENDING")).body("attempts", equalTo(2));
            // still short of money: fails again, with the same clear reason, and is not retried on its own
            await().atMost(BridgeApi.WAIT).untilAsserted(() -> api.manager().get("/api/v1/payouts/" + payoutId)
                    .then().body("status", equalTo("FAILED")));
            // topped up: the bridge sees the balance cover it and tries again by itself
            given("{\"available\":\"100000.00\"}");
            await().atMost(BridgeApi.WAIT).untilAsserted(() -> api.manager().get("/api/v1/payouts/" + payoutId)
                    .then().body("status", equalTo("PAID")).body("attempts", equalTo(3)));
            api.admin().post("/api/v1/payouts/" + payoutId + "/retry").then().statusCode(409)
                    .body("code", equalTo("payout_not_failed"));
        } finally {
            given("{\"available\":\"100000000.00\"}");
        }
        assertThat(sandbox.ledger().get("violations")).isEmpty();
    }

    @Test
    void aPayoutFailedForAnUnregisteredExecutorIsPaidOnceTheyFinishRegistration() {
        String executor = api.putExecutor("Не зарегистрирован");
        String task = api.putTask(executor, "Без регистрации", "70.00");
        api.awaitSynced("tasks", task);
        sandbox.executorMove(api.madetaskId("tasks", task), "start");
        api.awaitTaskStatus(task, "IN_PROGRESS");
        api.manager().contentType(ContentType.JSON).body("{\"status\":\"ACCEPTED\"}")
                .post("/api/v1/tasks/" + task + "/status").then().statusCode(200);
        String payoutId = api.manager().get("/api/v1/tasks/" + task).then().extract().path("payout.id");
        await().atMost(BridgeApi.WAIT).untilAsserted(() -> api.manager().get("/api/v1/payouts/" + payoutId)
                .then().body("status", equalTo("FAILED")).body("failureCode", equalTo("EXECUTOR_NOT_PAYABLE"))
                .body("failureMessage", notNullValue())
                .body("failureAction", org.hamcrest.Matchers.containsString("as soon as MadeTask reports")));

        // the executor finishes registration in MadeTask: the bridge hears of it and pays, with no one asking
        sandbox.completeRegistration(api.madetaskId("executors", executor));
        await().atMost(BridgeApi.WAIT).untilAsserted(() -> api.manager().get("/api/v1/payouts/" + payoutId)
                .then().body("status", equalTo("PAID")).body("attempts", equalTo(2))
                .body("failureCode", org.hamcrest.Matchers.nullValue()));
        api.awaitTaskStatus(task, "PAID");
        String madetaskTask = api.madetaskId("tasks", task);
        var ledger = sandbox.ledger();
        assertThat(ledger.get("violations")).isEmpty();
        ledger.get("tasks").forEach(row -> {
            if (row.get("task_id").asText().equals(madetaskTask)) {
                assertThat(row.get("payouts_paid").asInt()).isEqualTo(1);
            }
        });
        api.admin().queryParam("entityType", "PAYOUT").queryParam("entityId", payoutId).get("/api/v1/audit").then()
                .statusCode(200).body("items.action", org.hamcrest.Matchers.hasItem("payout.recover"));
    }

    @Test
    void payoutIsSettledEvenWhenNoWebhookArrives() {
        String[] et = startedTask("321.00");
        SandboxFaults quiet = sandbox.faults();
        quiet.webhooksEnabled = false;
        quiet.settlementDelayMs = 100;
        quiet.settlementJitterMs = 0;
        sandbox.applyFaults(quiet);
        api.manager().contentType(ContentType.JSON).body("{\"status\":\"ACCEPTED\"}")
                .post("/api/v1/tasks/" + et[1] + "/status").then().statusCode(200);
        String payoutId = api.manager().get("/api/v1/tasks/" + et[1]).then().extract().path("payout.id");
        await().atMost(BridgeApi.WAIT).untilAsserted(() -> api.manager().get("/api/v1/payouts/" + payoutId)
                .then().body("status", equalTo("PAID")));
    }

    private void given(String balance) {
        io.restassured.RestAssured.given().baseUri(sandbox.baseUrl()).contentType(ContentType.JSON).body(balance)
                .put("/sandbox/balance").then().statusCode(200);
    }
}
