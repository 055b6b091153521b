package io.madetask.bridge.sync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.node.ObjectNode;

import io.madetask.sandbox.SandboxFaults;
import io.madetask.bridge.testing.Bodies;
import io.madetask.bridge.testing.ConnectedSandboxTest;
import io.madetask.bridge.testing.SandboxResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;

/**
 * The acceptance run of sync: MadeTask failing in every way the sandbox knows, and still every executor and task the
 * CRM wrote ends up in MadeTask exactly once with its data, and every move made in MadeTask ends up in the bridge,
 * with webhooks duplicated and reordered, and with webhooks off (catch-up alone).
 */
@QuarkusTest
@WithTestResource(SandboxResource.class)
class SyncUnderFaultsTest extends ConnectedSandboxTest {

    private static final int PAIRS = 24;
    private static final Duration LONG_WAIT = Duration.ofSeconds(120);

    @Test
    void everythingWrittenReachesMadeTaskOnceAndEveryMoveComesBack() {
        SandboxFaults faults = sandbox.faults();
        faults.errorRate = 0.15;
        faults.timeoutRate = 0.05;
        faults.timeoutHangMs = 2_500;
        faults.lostAnswerRate = 0.10;
        faults.latencyMs = 5;
        faults.jitterMs = 20;
        faults.webhookDuplicateRate = 0.3;
        faults.webhookReorderRate = 0.3;
        faults.webhookReorderMaxDelayMs = 1_500;
        sandbox.applyFaults(faults);

        String tag = UUID.randomUUID().toString().substring(0, 6);
        List<String> executors = new ArrayList<>();
        List<String> tasks = new ArrayList<>();
        for (int i = 0; i < PAIRS; i++) {
            String executor = "fx-" + tag + "-" + i;
            api.manager().contentType(ContentType.JSON).body(Bodies.executor("Исполнитель " + i, "+7916000" + String.format("%04d", i),
                    "e" + i + "@example.com", Bodies.CARD)).put("/api/v1/executors/" + executor).then().statusCode(201);
            String task = "ft-" + tag + "-" + i;
            api.manager().contentType(ContentType.JSON).body(Bodies.task(executor, "Задача " + i, (100 + i) + ".00"))
                    .put("/api/v1/tasks/" + task).then().statusCode(201);
            executors.add(executor);
            tasks.add(task);
        }

        await().atMost(LONG_WAIT).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
            for (String task : tasks) {
                api.manager().get("/api/v1/tasks/" + task).then().body("sync.state", equalTo("SYNCED"));
            }
        });
        for (int i = 0; i < PAIRS; i++) {
            List<ObjectNode> mtExecutors = sandbox.executorsByExternalId(executors.get(i));
            assertThat(mtExecutors).as("executor %s in MadeTask", executors.get(i)).hasSize(1);
            assertThat(mtExecutors.get(0).get("full_name").asText()).isEqualTo("Исполнитель " + i);
            assertThat(mtExecutors.get(0).get("email").asText()).isEqualTo("e" + i + "@example.com");
            List<ObjectNode> mtTasks = sandbox.tasksByExternalId(tasks.get(i));
            assertThat(mtTasks).as("task %s in MadeTask", tasks.get(i)).hasSize(1);
            assertThat(mtTasks.get(0).at("/reward/amount").asText()).isEqualTo((100 + i) + ".00");
            assertThat(mtTasks.get(0).get("executor_id").asText()).isEqualTo(mtExecutors.get(0).get("id").asText());
        }

        // Moves made in MadeTask (the executor's app), with webhooks duplicated and reordered.
        for (int i = 0; i < PAIRS / 2; i++) {
            sandbox.completeRegistration(sandbox.executorsByExternalId(executors.get(i)).get(0).get("id").asText());
            String madetaskTask = sandbox.tasksByExternalId(tasks.get(i)).get(0).get("id").asText();
            sandbox.executorMove(madetaskTask, "start");
            sandbox.executorMove(madetaskTask, "submit");
        }
        await().atMost(LONG_WAIT).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
            for (int i = 0; i < PAIRS / 2; i++) {
                api.manager().get("/api/v1/tasks/" + tasks.get(i)).then().body("status", equalTo("SUBMITTED"));
                api.manager().get("/api/v1/executors/" + executors.get(i)).then().body("status", equalTo("ACTIVE"));
            }
        });

        // Webhooks off: only the event log tells, and the bridge reads it on its own.
        SandboxFaults quiet = sandbox.faults();
        quiet.webhooksEnabled = false;
        sandbox.applyFaults(quiet);
        for (int i = PAIRS / 2; i < PAIRS; i++) {
            sandbox.completeRegistration(sandbox.executorsByExternalId(executors.get(i)).get(0).get("id").asText());
            sandbox.executorMove(sandbox.tasksByExternalId(tasks.get(i)).get(0).get("id").asText(), "start");
        }
        await().atMost(LONG_WAIT).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
            for (int i = PAIRS / 2; i < PAIRS; i++) {
                api.manager().get("/api/v1/tasks/" + tasks.get(i)).then().body("status", equalTo("IN_PROGRESS"));
                api.manager().get("/api/v1/executors/" + executors.get(i)).then().body("status", equalTo("ACTIVE"))
                        .body("payable", equalTo(true));
            }
        });
        assertThat(sandbox.counter("faults_lost_answer") + sandbox.counter("faults_error")
                + sandbox.counter("faults_timeout")).as("faults were really injected").isPositive();
    }
}
