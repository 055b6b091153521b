package io.madetask.bridge.crm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import io.madetask.bridge.common.Signatures;
import io.madetask.bridge.testing.BridgeApi;
import io.madetask.bridge.testing.ConnectedSandboxTest;
import io.madetask.bridge.testing.CrmCallback;
import io.madetask.bridge.testing.SandboxResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;

/**
 * The bridge tells the CRM what happened: signed notifications, delivered at least once to a callback that fails for a
 * while.
 */
@QuarkusTest
@WithTestResource(SandboxResource.class)
@WithTestResource(CrmCallback.class)
class NotificationTest extends ConnectedSandboxTest {

    @AfterEach
    void healthyCallback() {
        CrmCallback.healthy();
    }

    private List<JsonNode> notificationsOf(String entityId) {
        JsonNode page = api.admin().queryParam("entityId", entityId).queryParam("size", 500)
                .get("/api/v1/notifications").then().statusCode(200).extract().as(JsonNode.class);
        List<JsonNode> items = new java.util.ArrayList<>();
        page.get("items").forEach(items::add);
        return items;
    }

    @Test
    void callbackFailingForAWhileGetsEveryNotificationSignedInTheEnd() {
        CrmCallback.FAIL_NEXT.set(6);
        int refusedBefore = CrmCallback.REFUSED.get();
        String executor = api.putExecutor("Уведомляемый");
        api.awaitSynced("executors", executor);
        sandbox.completeRegistration(api.madetaskId("executors", executor));
        String task = api.putTask(executor, "С уведомлениями", "250.00");
        api.awaitSynced("tasks", task);
        sandbox.executorMove(api.madetaskId("tasks", task), "start");
        api.awaitTaskStatus(task, "IN_PROGRESS");
        api.manager().contentType(ContentType.JSON).body("{\"status\":\"ACCEPTED\"}")
                .post("/api/v1/tasks/" + task + "/status").then().statusCode(200);
        api.awaitTaskStatus(task, "PAID");
        String payout = api.manager().get("/api/v1/tasks/" + task).then().extract().path("payout.id");

        // every notification of this flow ends DELIVERED, and the CRM has each one, correctly signed
        await().atMost(BridgeApi.WAIT).untilAsserted(() -> {
            for (String entity : List.of(executor, task, payout)) {
                assertThat(notificationsOf(entity)).isNotEmpty()
                        .allSatisfy(n -> assertThat(n.get("status").asText()).isEqualTo("DELIVERED"));
            }
        });
        assertThat(CrmCallback.REFUSED.get() - refusedBefore).as("503s the CRM answered").isEqualTo(6);
        Set<String> delivered = List.of(executor, task, payout).stream().flatMap(e -> notificationsOf(e).stream())
                .map(n -> n.get("id").asText()).collect(Collectors.toSet());
        List<CrmCallback.Received> ours = CrmCallback.RECEIVED.stream()
                .filter(r -> delivered.contains(r.eventId())).toList();
        assertThat(ours.stream().map(CrmCallback.Received::eventId).collect(Collectors.toSet()))
                .isEqualTo(delivered);
        assertThat(ours).allSatisfy(r -> {
            assertThat(r.signature()).isEqualTo(Signatures.Verdict.VALID);
            assertThat(r.body().get("id").asText()).isEqualTo(r.eventId());
        });

        List<String> taskMoves = ours.stream().filter(r -> r.body().get("type").asText().equals("task.status_changed"))
                .map(r -> r.body().at("/data/status").asText()).distinct().toList();
        assertThat(taskMoves).contains("IN_PROGRESS", "ACCEPTED", "PAID");
        CrmCallback.Received paid = ours.stream().filter(r -> r.body().get("type").asText().equals("payout.paid"))
                .findFirst().orElseThrow();
        assertThat(paid.body().at("/data/amount/amount").asText()).isEqualTo("250.00");
        assertThat(paid.body().at("/data/taskCrmId").asText()).isEqualTo(task);
        assertThat(paid.body().at("/data/receiptUrl").asText()).startsWith("http");
        assertThat(ours).anySatisfy(r -> {
            assertThat(r.body().get("type").asText()).isEqualTo("executor.synced");
            assertThat(r.body().at("/data/crmId").asText()).isEqualTo(executor);
        });
        // no personal data travels in notifications
        assertThat(ours.toString()).doesNotContain(io.madetask.bridge.testing.Bodies.PHONE)
                .doesNotContain(io.madetask.bridge.testing.Bodies.INN);
    }
}
