package io.madetask.bridge.payout;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import java.net.URL;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import io.madetask.sandbox.SandboxFaults;
import io.madetask.bridge.testing.ApiLoad;
import io.madetask.bridge.testing.Bodies;
import io.madetask.bridge.testing.ConnectedSandboxTest;
import io.madetask.bridge.testing.Parallel;
import io.madetask.bridge.testing.SandboxResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.vertx.mutiny.sqlclient.Pool;

/**
 * The acceptance run of payouts, with the production fault-tolerance settings: a batch of 1000 tasks while MadeTask
 * answers 10 % of calls with 5xx, 10 % with 503 and {@code Retry-After: 1}, loses the answer of 10 %, holds 5 % for
 * 3 seconds without an answer, and limits the bridge to 100 calls a second. MadeTask here does NOT refuse a second
 * payout for a task, so a double payment would show in its ledger. All 1000 are paid within 5 minutes, the ledger shows
 * no task paid twice and no amount other than the reward, and the API keeps answering while the batch runs.
 */
@QuarkusTest
@WithTestResource(SandboxResource.class)
class PayoutBatchUnderFaultsTest extends ConnectedSandboxTest {

    private static final int TASKS = 1000;

    @TestHTTPResource("/api/v1/")
    URL apiUrl;

    @Inject
    Pool pool;

    @Inject
    io.micrometer.core.instrument.MeterRegistry meters;

    @Test
    void thousandTaskBatchIsPaidExactlyOnceWhileMadeTaskMisbehaves() throws Exception {
        String token = sandbox.devToken("maria", List.of("manager"), null);
        String tag = UUID.randomUUID().toString().substring(0, 6);
        Parallel parallel = new Parallel(16);

        assertThat(parallel.put(TASKS, token, i -> new Parallel.Put(apiUrl + "executors/bx-" + tag + "-" + i,
                Bodies.executor("Исполнитель " + i)))).containsOnly(201);
        assertThat(parallel.put(TASKS, token, i -> new Parallel.Put(apiUrl + "tasks/bt-" + tag + "-" + i,
                Bodies.task("bx-" + tag + "-" + i, "Задача " + i, (1000 + i) + ".00")))).containsOnly(201);
        awaitCount("select count(*) from task where crm_id like 'bt-" + tag + "-%' and sync_state = 'SYNCED'");

        for (int i = 0; i < TASKS; i++) {
            JsonNode task = sandbox.tasksByExternalId("bt-" + tag + "-" + i).get(0);
            sandbox.completeRegistration(task.get("executor_id").asText());
            sandbox.executorMove(task.get("id").asText(), "start");
        }
        awaitCount("select count(*) from task where crm_id like 'bt-" + tag + "-%' and status = 'IN_PROGRESS'");

        SandboxFaults faults = sandbox.faults();
        faults.errorRate = 0.10;
        faults.unavailableRate = 0.10;
        faults.retryAfterSeconds = 1;
        faults.timeoutRate = 0.05;
        faults.timeoutHangMs = 3_000;
        faults.lostAnswerRate = 0.10;
        faults.rateLimitEnabled = true;
        faults.rateLimitPerSecond = 100;
        faults.rateLimitBurst = 100;
        faults.refuseSecondPayout = false;
        faults.settlementDelayMs = 200;
        faults.settlementJitterMs = 300;
        sandbox.applyFaults(faults);
        long callsBefore = sandbox.counter("requests");
        double openedBefore = opened();

        List<String> ids = new ArrayList<>();
        for (int i = 0; i < TASKS; i++) {
            ids.add("bt-" + tag + "-" + i);
        }
        String batch = api.manager().contentType(ContentType.JSON)
                .body(java.util.Map.of("taskCrmIds", ids)).post("/api/v1/payout-batches")
                .then().statusCode(202).body("total", equalTo(TASKS)).body("status", equalTo("RUNNING"))
                .extract().path("id");

        long posted = System.nanoTime();
        // The CRM goes on working while the batch runs: a task read and an executor written, 20 a second in all.
        ApiLoad load = new ApiLoad(apiUrl.toString().replace("/api/v1/", ""), token, ids).start(10, 0, 10);
        try {
            await().atMost(Duration.ofMinutes(5)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() ->
                    api.manager().get("/api/v1/payout-batches/" + batch).then()
                            .body("status", equalTo("COMPLETED"))
                            .body("counts.paid", equalTo(TASKS)));
        } finally {
            load.stop();
        }
        System.out.printf("BATCH UNDER FAULTS: 1000 PAID in %d s; %d MadeTask calls; breaker opened %d times; "
                + "API during the batch: %s%n", Duration.ofNanos(System.nanoTime() - posted).toSeconds(),
                sandbox.counter("requests") - callsBefore, (long) (opened() - openedBefore), load.summary());
        assertThat(load.errors()).as("API answers other than 2xx during the batch").isZero();

        JsonNode ledger = sandbox.ledger();
        assertThat(ledger.get("violations")).as("MadeTask's exactly-once ledger").isEmpty();
        Set<String> ours = new HashSet<>();
        for (String id : ids) {
            ours.add(sandbox.tasksByExternalId(id).get(0).get("id").asText());
        }
        int paid = 0;
        for (JsonNode row : ledger.get("tasks")) {
            if (ours.contains(row.get("task_id").asText())) {
                assertThat(row.get("payouts_paid").asInt()).as("task %s", row.get("external_id")).isEqualTo(1);
                paid++;
            }
        }
        assertThat(paid).isEqualTo(TASKS);
        assertThat(sandbox.counter("faults_error")).isPositive();
        assertThat(sandbox.counter("faults_timeout")).isPositive();
        assertThat(sandbox.counter("faults_lost_answer")).isPositive();
        given().auth().oauth2(token).queryParam("status", "PAID").queryParam("size", 1)
                .get("/api/v1/payout-batches/" + batch + "/items").then().body("total", equalTo(TASKS));
        // the CRM is told once that the batch is done, with its counts
        api.admin().queryParam("type", "batch.completed").queryParam("entityId", batch)
                .get("/api/v1/notifications").then().statusCode(200)
                .body("total", equalTo(1))
                .body("items[0].data.status", equalTo("COMPLETED"))
                .body("items[0].data.counts.paid", equalTo(TASKS))
                .body("items[0].data.finishedAt", org.hamcrest.Matchers.notNullValue());
        api.manager().get("/api/v1/payout-batches/" + batch).then()
                .body("finishedAt", org.hamcrest.Matchers.notNullValue());
    }

    private double opened() {
        return meters.find("bridge.madetask.circuit.opened").counters().stream()
                .mapToDouble(io.micrometer.core.instrument.Counter::count).sum();
    }

    private void awaitCount(String sql) {
        await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(500)).until(() -> pool.query(sql)
                .execute().await().atMost(Duration.ofSeconds(10)).iterator().next().getLong(0) == TASKS);
    }
}
