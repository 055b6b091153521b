package io.madetask.bridge.payout;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.madetask.sandbox.SandboxFaults;
import io.madetask.bridge.testing.ApiLoad;
import io.madetask.bridge.testing.BridgeProcess;
import io.madetask.bridge.testing.PayoutScenario;
import io.madetask.bridge.testing.ProcessTest;
import io.madetask.bridge.testing.ServerDatabase;

/**
 * MadeTask down in the middle of a batch (every call answered 5xx for 40 s), with the production breaker: the breaker
 * opens, the bridge stops calling and charges no tries while it is open, the API keeps taking reads and writes, and
 * once MadeTask is back the batch completes with every task paid once and no payout given up.
 */
class MadeTaskOutageIT extends ProcessTest {

    private static final int TASKS = 300;

    @Override
    protected void startingFaults(SandboxFaults faults) {
        faults.settlementDelayMs = 200;
        faults.settlementJitterMs = 300;
        faults.webhookRetryBaseMs = 200;
        faults.webhookRetryMaxMs = 2_000;
        faults.refuseSecondPayout = false;
    }

    @Test
    void aBatchOutlivesAMadeTaskOutageAndCompletesOnceItIsBack() throws Exception {
        try (ServerDatabase db = new ServerDatabase();
                BridgeProcess bridge = new BridgeProcess("outage", sandbox, db, Map.of())) {
            bridge.startReceivingWebhooks();
            PayoutScenario scenario = new PayoutScenario(bridge.baseUrl(), sandbox, db).prepare(TASKS);
            SandboxFaults slower = sandbox.faults();
            slower.latencyMs = 20;
            slower.jitterMs = 30;
            sandbox.applyFaults(slower);
            String batch = scenario.postBatch();
            await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(100))
                    .until(() -> scenario.payoutsIn("PROCESSING", "PAID") >= 50);

            SandboxFaults down = sandbox.faults();
            down.errorRate = 1.0;
            sandbox.applyFaults(down);
            long before = sandbox.counter("requests");
            ApiLoad load = new ApiLoad(bridge.baseUrl(), sandbox.devToken("maria", List.of("manager"), null),
                    scenario.tasks).start(5, 0, 5);
            Thread.sleep(40_000);
            load.stop();
            long during = sandbox.counter("requests") - before;
            long paidAtTheEnd = scenario.payoutsIn("PROCESSING", "PAID");
            SandboxFaults back = sandbox.faults();
            back.errorRate = 0;
            sandbox.applyFaults(back);
            long restored = System.nanoTime();

            await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofSeconds(1))
                    .until(() -> "COMPLETED".equals(scenario.batch(batch).get("status").asText()));
            String metrics = given().baseUri(bridge.managementUrl()).get("/q/metrics").then().statusCode(200).extract()
                    .asString();
            System.out.printf("OUTAGE: 40 s of MadeTask answering only 5xx with %d of %d in MadeTask: %d requests "
                    + "during it; API during it: %s; batch COMPLETED %d s after MadeTask came back%n", paidAtTheEnd,
                    TASKS, during, load.summary(), Duration.ofNanos(System.nanoTime() - restored).toSeconds());
            assertThat(load.errors()).as("the API answers while MadeTask is down").isZero();
            assertThat(metrics).as("the breaker opened").containsPattern("bridge_madetask_circuit_opened_total [1-9]");
            assertThat(during).as("an open breaker leaves MadeTask alone (a few trial calls every 10 s)")
                    .isLessThan(1_000);
            assertThat(scenario.batch(batch).at("/counts/paid").asInt()).isEqualTo(TASKS);
            assertThat(db.count("select count(*) from payout where status = 'FAILED'")).isZero();
            scenario.assertPaidExactlyOnce();
        }
    }
}
