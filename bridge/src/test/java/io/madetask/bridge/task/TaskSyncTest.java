package io.madetask.bridge.task;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.notNullValue;

import java.util.UUID;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.node.ObjectNode;

import io.madetask.bridge.testing.BridgeApi;
import io.madetask.bridge.testing.Bodies;
import io.madetask.bridge.testing.ConnectedSandboxTest;
import io.madetask.bridge.testing.SandboxResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;

/** Tasks reach MadeTask once and follow its status machine; the executor's moves in MadeTask come back. */
@QuarkusTest
@WithTestResource(SandboxResource.class)
class TaskSyncTest extends ConnectedSandboxTest {

    @Test
    void taskReachesMadeTaskWithItsDataAndFollowsTheExecutorsMoves() {
        String executor = api.putExecutor("Иван Петров");
        String task = "task-" + UUID.randomUUID();
        api.manager().contentType(ContentType.JSON).body(Bodies.task(executor, "Перевод договора", "1500.50"))
                .put("/api/v1/tasks/" + task).then().statusCode(201)
                .body("status", equalTo("ASSIGNED"))
                .body("reward.amount", equalTo("1500.50"))
                .body("reward.currency", equalTo("RUB"))
                .body("executorCrmId", equalTo(executor))
                .body("sync.state", equalTo("PENDING"));

        api.awaitSynced("tasks", task);
        ObjectNode mt = sandbox.tasksByExternalId(task).get(0);
        assertThat(sandbox.tasksByExternalId(task)).hasSize(1);
        assertThat(mt.get("title").asText()).isEqualTo("Перевод договора");
        assertThat(mt.at("/reward/amount").asText()).isEqualTo("1500.50");
        assertThat(mt.get("deadline").asText()).isEqualTo("2026-12-31T18:00:00Z");
        assertThat(mt.get("executor_id").asText()).isEqualTo(api.madetaskId("executors", executor));

        sandbox.executorMove(mt.get("id").asText(), "start");
        api.awaitTaskStatus(task, "IN_PROGRESS");
        sandbox.executorMove(mt.get("id").asText(), "submit");
        api.awaitTaskStatus(task, "SUBMITTED");

        api.manager().contentType(ContentType.JSON).body("{\"status\":\"REJECTED\",\"comment\":\"Нужны правки\"}")
                .post("/api/v1/tasks/" + task + "/status").then().statusCode(200).body("status", equalTo("REJECTED"));
        await().atMost(BridgeApi.WAIT).untilAsserted(() -> assertThat(
                sandbox.tasksByExternalId(task).get(0).get("status").asText()).isEqualTo("REJECTED"));
        sandbox.executorMove(mt.get("id").asText(), "resume");
        api.awaitTaskStatus(task, "IN_PROGRESS");

        api.manager().contentType(ContentType.JSON).body("{\"status\":\"ACCEPTED\"}")
                .post("/api/v1/tasks/" + task + "/status").then().statusCode(200).body("status", equalTo("ACCEPTED"));
        await().atMost(BridgeApi.WAIT).untilAsserted(() -> assertThat(
                sandbox.tasksByExternalId(task).get(0).get("status").asText()).isEqualTo("ACCEPTED"));
        api.awaitSynced("tasks", task);
    }

    @Test
    void movesTheStatusMachineForbidsGet409AndChangeNothing() {
        String task = api.putTask(api.putExecutor("Анна"), "Логотип", "900.00");
        api.manager().contentType(ContentType.JSON).body("{\"status\":\"ACCEPTED\"}")
                .post("/api/v1/tasks/" + task + "/status").then().statusCode(409)
                .contentType("application/problem+json").body("code", equalTo("invalid_transition"));
        api.manager().contentType(ContentType.JSON).body("{\"status\":\"PAID\"}")
                .post("/api/v1/tasks/" + task + "/status").then().statusCode(400);
        api.manager().get("/api/v1/tasks/" + task).then().body("status", equalTo("ASSIGNED")).body("version", equalTo(1));

        api.manager().contentType(ContentType.JSON).body("{\"status\":\"CANCELLED\"}")
                .post("/api/v1/tasks/" + task + "/status").then().statusCode(200).body("status", equalTo("CANCELLED"));
        api.awaitSynced("tasks", task);
        await().atMost(BridgeApi.WAIT).untilAsserted(() -> assertThat(
                sandbox.tasksByExternalId(task).get(0).get("status").asText()).isEqualTo("CANCELLED"));
    }

    @Test
    void editsReachMadeTaskWhileTheTaskIsEditable() {
        String executor = api.putExecutor("Олег");
        String task = api.putTask(executor, "Черновик", "100.00");
        api.awaitSynced("tasks", task);
        api.manager().contentType(ContentType.JSON).body(Bodies.task(executor, "Чистовик", "150.00"))
                .put("/api/v1/tasks/" + task).then().statusCode(200).body("version", equalTo(2));
        await().atMost(BridgeApi.WAIT).untilAsserted(() -> {
            ObjectNode mt = sandbox.tasksByExternalId(task).get(0);
            assertThat(mt.get("title").asText()).isEqualTo("Чистовик");
            assertThat(mt.at("/reward/amount").asText()).isEqualTo("150.00");
        });

        String madetaskId = api.madetaskId("tasks", task);
        sandbox.executorMove(madetaskId, "start");
        sandbox.executorMove(madetaskId, "submit");
        api.awaitTaskStatus(task, "SUBMITTED");
        api.manager().contentType(ContentType.JSON).body(Bodies.task(executor, "Поздно", "150.00"))
                .put("/api/v1/tasks/" + task).then().statusCode(409).body("code", equalTo("task_not_editable"));
        api.manager().contentType(ContentType.JSON).body(Bodies.task(api.putExecutor("Другой"), "Чистовик", "150.00"))
                .put("/api/v1/tasks/" + task).then().statusCode(400).body("errors.field", hasItems("executorCrmId"));
    }

    @Test
    void badTasksGet4xxAndNothingIsStored() {
        String task = "task-" + UUID.randomUUID();
        api.manager().contentType(ContentType.JSON).body(Bodies.task("nobody-" + UUID.randomUUID(), "X", "10.00"))
                .put("/api/v1/tasks/" + task).then().statusCode(400).body("errors.field", hasItems("executorCrmId"));
        api.manager().contentType(ContentType.JSON).body(Bodies.task(api.putExecutor("Ян"), "", "10.5"))
                .put("/api/v1/tasks/" + task).then().statusCode(400).body("errors.field", hasItems("title", "reward"));
        api.manager().contentType(ContentType.JSON)
                .body("{\"executorCrmId\":\"x\",\"title\":\"t\",\"reward\":{\"amount\":\"1.00\",\"currency\":\"RUB\"},\"deadline\":\"soon\"}")
                .put("/api/v1/tasks/" + task).then().statusCode(400).body("errors.field", hasItems("deadline"));
        api.manager().get("/api/v1/tasks/" + task).then().statusCode(404);

        String blocked = api.putExecutor("Заблокирован");
        api.manager().post("/api/v1/executors/" + blocked + "/block").then().statusCode(200);
        api.manager().contentType(ContentType.JSON).body(Bodies.task(blocked, "X", "10.00"))
                .put("/api/v1/tasks/" + task).then().statusCode(422).body("code", equalTo("executor_blocked"));
    }

    @Test
    void taskWaitsForItsExecutorToReachMadeTask() {
        var faults = sandbox.faults();
        faults.scripted = java.util.List.of("ERROR_503", "ERROR_502", "ERROR_500");
        faults.faultPathRegex = "POST /api/v1/executors";
        sandbox.applyFaults(faults);
        String executor = api.putExecutor("Медленный");
        String task = api.putTask(executor, "Ждёт", "10.00");
        api.awaitSynced("tasks", task);
        assertThat(sandbox.executorsByExternalId(executor)).hasSize(1);
        assertThat(sandbox.tasksByExternalId(task)).hasSize(1);
    }

    @Test
    void taskLinkedByItsEventWhileTheAnswerWasLostEndsSynced() {
        String executor = api.putExecutor("Потерянный ответ");
        api.awaitSynced("executors", executor);
        var faults = sandbox.faults();
        faults.scripted = java.util.List.of("LOST_ANSWER", "ERROR_500", "ERROR_500", "ERROR_500", "ERROR_500",
                "ERROR_500", "ERROR_500", "ERROR_500");
        faults.faultPathRegex = "POST /api/v1/tasks";
        sandbox.applyFaults(faults);
        String task = api.putTask(executor, "Связана событием", "42.00");
        api.awaitSynced("tasks", task);
        assertThat(sandbox.tasksByExternalId(task)).hasSize(1);
        api.manager().get("/api/v1/tasks/" + task).then().body("madetaskId",
                equalTo(sandbox.tasksByExternalId(task).get(0).get("id").asText()));
    }

    @Test
    void executorSeesOnlyOwnTasksByAnyPath() {
        String me = api.putExecutor("Я");
        String other = api.putExecutor("Другой");
        String mine = api.putTask(me, "Моя", "10.00");
        String theirs = api.putTask(other, "Чужая", "20.00");

        api.executor(me).get("/api/v1/me/tasks").then().statusCode(200)
                .body("items.crmId", equalTo(java.util.List.of(mine)))
                .body("items.executorCrmId", everyItem(equalTo(me)));
        api.executor(me).get("/api/v1/tasks/" + theirs).then().statusCode(403);
        api.executor(me).get("/api/v1/tasks/" + mine).then().statusCode(403);
        api.executor(me).queryParam("executorCrmId", other).get("/api/v1/tasks").then().statusCode(403);
        api.executor(me).get("/api/v1/executors/" + other).then().statusCode(403);
        api.executor(me).get("/api/v1/audit").then().statusCode(403);
        api.executor(me).queryParam("executorCrmId", other).get("/api/v1/me/tasks").then().statusCode(200)
                .body("items.crmId", equalTo(java.util.List.of(mine)));
        api.manager().get("/api/v1/me/tasks").then().statusCode(403);
        io.restassured.RestAssured.given().get("/api/v1/me/tasks").then().statusCode(401);
    }

    @Test
    void retriedStatusChangeWithTheSameKeyActsOnce() {
        String executor = api.putExecutor("Ключ");
        String task = api.putTask(executor, "Идемпотентная", "10.00");
        api.awaitSynced("tasks", task);
        sandbox.executorMove(api.madetaskId("tasks", task), "start");
        api.awaitTaskStatus(task, "IN_PROGRESS");
        String key = UUID.randomUUID().toString();

        String first = api.manager().header("Idempotency-Key", key).contentType(ContentType.JSON)
                .body("{\"status\":\"ACCEPTED\"}").post("/api/v1/tasks/" + task + "/status")
                .then().statusCode(200).extract().asString();
        String again = api.manager().header("Idempotency-Key", key).contentType(ContentType.JSON)
                .body("{\"status\":\"ACCEPTED\"}").post("/api/v1/tasks/" + task + "/status")
                .then().statusCode(200).header("Idempotent-Replayed", "true").extract().asString();

        assertThat(again).isEqualTo(first);
        api.manager().header("Idempotency-Key", key).post("/api/v1/executors/" + executor + "/block")
                .then().statusCode(422).body("code", equalTo("idempotency_key_reused"));
        // the same key, the same path, another body: another request, refused, not answered with the first one's answer
        api.manager().header("Idempotency-Key", key).contentType(ContentType.JSON)
                .body("{\"status\":\"CANCELLED\"}").post("/api/v1/tasks/" + task + "/status")
                .then().statusCode(422).contentType("application/problem+json")
                .body("code", equalTo("idempotency_key_reused"));
        api.admin().queryParam("entityType", "TASK").queryParam("entityId", task).get("/api/v1/audit")
                .then().body("items.findAll { it.action == 'task.status' }.size()", equalTo(1))
                .body("items[0].requestId", notNullValue());
    }
}
