package io.madetask.bridge.events;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import io.madetask.sandbox.SandboxFaults;
import io.madetask.bridge.testing.ApiLoad;
import io.madetask.bridge.testing.BridgeProcess;
import io.madetask.bridge.testing.PayoutScenario;
import io.madetask.bridge.testing.ProcessTest;
import io.madetask.bridge.testing.ServerDatabase;

/**
 * MadeTask's webhooks while the CRM writes and reads at 50 requests a second, right after a batch: every event MadeTask
 * logged reaches the bridge by webhook alone (the catch-up is kept out of the way) and is applied, none is dropped, no
 * Hibernate session is used from two flows, and the API keeps answering (p50/p99 printed).
 */
class WebhooksUnderApiLoadIT extends ProcessTest {

    private static final int TASKS = 500;

    @Override
    protected void startingFaults(SandboxFaults faults) {
        faults.settlementDelayMs = 200;
        faults.settlementJitterMs = 300;
        faults.webhookDuplicateRate = 0.1;
        faults.webhookReorderRate = 1.0;
        faults.webhookReorderMaxDelayMs = 300;
    }

    @Test
    void everyWebhookIsAppliedAndTheApiAnswersWhileItTakesWrites() throws Exception {
        try (ServerDatabase db = new ServerDatabase();
                BridgeProcess bridge = new BridgeProcess("webhooks", sandbox, db,
                        Map.of("bridge.sync.catch-up-interval", "1H"))) {
            bridge.startReceivingWebhooks();
            PayoutScenario scenario = new PayoutScenario(bridge.baseUrl(), sandbox, db).prepare(TASKS);
            String token = sandbox.devToken("maria", List.of("manager"), null);

            ApiLoad load = new ApiLoad(bridge.baseUrl(), token, scenario.tasks).start(20, 10, 20);
            String batch;
            try {
                batch = scenario.postBatch();
                await().atMost(Duration.ofMinutes(4)).pollInterval(Duration.ofSeconds(1))
                        .until(() -> "COMPLETED".equals(scenario.batch(batch).get("status").asText()));
                Thread.sleep(5_000);
            } finally {
                load.stop();
            }
            System.out.printf("WEBHOOKS UNDER API LOAD: %d-task batch, API at 50/s: %s%n", TASKS, load.summary());
            assertThat(load.errors()).as("API answers other than 2xx").isZero();
            assertThat(scenario.batch(batch).at("/counts/paid").asInt()).isEqualTo(TASKS);

            // Once the bridge has nothing left to send, every event MadeTask logged is stored once and applied.
            await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofSeconds(1)).until(() ->
                    db.count("select count(*) from sync_operation where status = 'PENDING'") == 0);
            await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofSeconds(2)).until(() -> {
                Set<String> logged = eventLog();
                return db.count("select count(*) from processed_event where status = 'DONE'") == logged.size()
                        && db.count("select count(*) from processed_event") == logged.size();
            });
            assertThat(bridge.log()).doesNotContain("non-threadsafe", "Mutiny had to drop",
                    "No current Mutiny.Session");
            scenario.assertPaidExactlyOnce();
        }
    }

    /** Every event id in MadeTask's log, read as a client would. */
    private Set<String> eventLog() {
        String token = given().baseUri(sandbox.baseUrl()).auth().preemptive().basic("bridge", "bridge-secret")
                .formParam("grant_type", "client_credentials").post("/oauth/token").then().statusCode(200)
                .extract().path("access_token");
        Set<String> ids = new HashSet<>();
        String cursor = null;
        do {
            var request = given().baseUri(sandbox.baseUrl()).header("Authorization", "Bearer " + token)
                    .queryParam("limit", 500);
            if (cursor != null) {
                request = request.queryParam("cursor", cursor);
            }
            JsonNode page = request.get("/api/v1/events").then().statusCode(200).extract().as(JsonNode.class);
            page.get("items").forEach(e -> ids.add(e.get("id").asText()));
            cursor = page.get("next_cursor").isNull() ? null : page.get("next_cursor").asText();
        } while (cursor != null);
        return ids;
    }
}
