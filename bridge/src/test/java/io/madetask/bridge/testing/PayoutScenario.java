package io.madetask.bridge.testing;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;

import io.madetask.sandbox.MadeTaskSandbox;
import io.restassured.http.ContentType;

/**
 * The run-up to a payout batch against a bridge running as its own process: {@code n} executors and tasks written
 * through its API, in MadeTask, registered and started there, and IN_PROGRESS in the bridge.
 */
public final class PayoutScenario {

    private final String bridge;
    private final MadeTaskSandbox sandbox;
    private final ServerDatabase db;
    private final String token;
    public final String tag = UUID.randomUUID().toString().substring(0, 6);
    public final List<String> tasks = new ArrayList<>();

    public PayoutScenario(String bridgeBaseUrl, MadeTaskSandbox sandbox, ServerDatabase db) {
        this.bridge = bridgeBaseUrl;
        this.sandbox = sandbox;
        this.db = db;
        this.token = sandbox.devToken("maria", List.of("manager"), null);
    }

    public PayoutScenario prepare(int n) throws Exception {
        Parallel parallel = new Parallel(16);
        assertThat(parallel.put(n, token, i -> new Parallel.Put(bridge + "/api/v1/executors/sx-" + tag + "-" + i,
                Bodies.executor("Исполнитель " + i)))).containsOnly(201);
        assertThat(parallel.put(n, token, i -> new Parallel.Put(bridge + "/api/v1/tasks/st-" + tag + "-" + i,
                Bodies.task("sx-" + tag + "-" + i, "Задача " + i, (100 + i % 900) + ".00")))).containsOnly(201);
        for (int i = 0; i < n; i++) {
            tasks.add("st-" + tag + "-" + i);
        }
        awaitCount("select count(*) from task where crm_id like 'st-" + tag + "-%' and sync_state = 'SYNCED'", n);
        for (String task : tasks) {
            JsonNode mt = sandbox.tasksByExternalId(task).get(0);
            sandbox.completeRegistration(mt.get("executor_id").asText());
            sandbox.executorMove(mt.get("id").asText(), "start");
        }
        awaitCount("select count(*) from task where crm_id like 'st-" + tag + "-%' and status = 'IN_PROGRESS'", n);
        return this;
    }

    /** Posts the batch of every prepared task; answers its id. */
    public String postBatch() {
        return postBatch(tasks);
    }

    /** Posts a batch of some of the prepared tasks; answers its id. */
    public String postBatch(List<String> some) {
        return given().baseUri(bridge).auth().oauth2(token).contentType(ContentType.JSON)
                .body(Map.of("taskCrmIds", some)).post("/api/v1/payout-batches")
                .then().statusCode(202).extract().path("id");
    }

    public JsonNode batch(String id) {
        return given().baseUri(bridge).auth().oauth2(token).get("/api/v1/payout-batches/" + id)
                .then().statusCode(200).extract().as(JsonNode.class);
    }

    /** Every payout of the scenario's tasks in one of these states (e.g. PROCESSING or PAID: MadeTask has them all). */
    public long payoutsIn(String... states) throws Exception {
        return db.count("select count(*) from payout where task_crm_id like 'st-" + tag + "-%' and status in ('"
                + String.join("','", states) + "')");
    }

    /** Every task of the scenario paid exactly once in MadeTask, for its reward, by MadeTask's own ledger. */
    public void assertPaidExactlyOnce() {
        JsonNode ledger = sandbox.ledger();
        assertThat(ledger.get("violations")).as("MadeTask's exactly-once ledger").isEmpty();
        java.util.Set<String> ours = new java.util.HashSet<>();
        for (String task : tasks) {
            assertThat(sandbox.tasksByExternalId(task)).as("task %s in MadeTask", task).hasSize(1);
            ours.add(sandbox.tasksByExternalId(task).get(0).get("id").asText());
        }
        int paid = 0;
        for (JsonNode row : ledger.get("tasks")) {
            if (ours.contains(row.get("task_id").asText())) {
                assertThat(row.get("payouts_paid").asInt()).as("task %s", row.get("external_id").asText())
                        .isEqualTo(1);
                paid++;
            }
        }
        assertThat(paid).isEqualTo(tasks.size());
    }

    private void awaitCount(String sql, int n) {
        await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(500)).until(() -> db.count(sql) == n);
    }
}
