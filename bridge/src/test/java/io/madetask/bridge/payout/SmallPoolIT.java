package io.madetask.bridge.payout;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.madetask.sandbox.SandboxFaults;
import io.madetask.bridge.testing.BridgeProcess;
import io.madetask.bridge.testing.PayoutScenario;
import io.madetask.bridge.testing.ProcessTest;
import io.madetask.bridge.testing.ServerDatabase;

/**
 * The packaged bridge with a database pool of only 4 connections and its default concurrency (32 outbox operations,
 * 32 payouts, 8 notifications, 8 events in flight), while MadeTask delivers every event late, out of order and often
 * twice, and the catch-up reads the log every 2 seconds. No unit of work waits for a second connection while it holds
 * one, so the work only queues for connections: the batch completes, every task paid once, and the process answers
 * its probes and metrics all along.
 */
class SmallPoolIT extends ProcessTest {

    private static final int TASKS = 300;

    @Override
    protected void startingFaults(SandboxFaults faults) {
        faults.settlementDelayMs = 200;
        faults.settlementJitterMs = 300;
        faults.webhookDuplicateRate = 0.3;
        faults.webhookReorderRate = 0.5;
        faults.webhookReorderMaxDelayMs = 300;
    }

    @Test
    void aPoolOfFourConnectionsUnderABurstOfEventsStillPaysEveryTaskOnce() throws Exception {
        try (ServerDatabase db = new ServerDatabase();
                BridgeProcess bridge = new BridgeProcess("small-pool", sandbox, db,
                        Map.of("quarkus.datasource.reactive.max-size", "4"))) {
            bridge.startReceivingWebhooks();
            PayoutScenario scenario = new PayoutScenario(bridge.baseUrl(), sandbox, db).prepare(TASKS);
            String batch = scenario.postBatch();

            long slowest = 0;
            long deadline = System.nanoTime() + Duration.ofMinutes(4).toNanos();
            while (scenario.batch(batch).at("/counts/paid").asInt() < TASKS && System.nanoTime() < deadline) {
                long started = System.nanoTime();
                given().baseUri(bridge.managementUrl()).get("/q/health/live").then().statusCode(200);
                given().baseUri(bridge.managementUrl()).get("/q/metrics").then().statusCode(200);
                slowest = Math.max(slowest, Duration.ofNanos(System.nanoTime() - started).toMillis());
                Thread.sleep(500);
            }
            System.out.printf("SMALL POOL: %d tasks paid with 4 connections; slowest liveness + metrics: %d ms%n",
                    scenario.batch(batch).at("/counts/paid").asInt(), slowest);
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofSeconds(1))
                    .until(() -> "COMPLETED".equals(scenario.batch(batch).get("status").asText()));
            assertThat(scenario.batch(batch).at("/counts/paid").asInt()).isEqualTo(TASKS);
            scenario.assertPaidExactlyOnce();
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofSeconds(1)).until(() -> db.count(
                    "select count(*) from processed_event where status <> 'DONE'") == 0);
            assertThat(bridge.log()).doesNotContain("non-threadsafe", "Mutiny had to drop", "OutOfMemoryError");
        }
    }
}
