package io.madetask.bridge.payout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.madetask.sandbox.SandboxFaults;
import io.madetask.bridge.testing.BridgeProcess;
import io.madetask.bridge.testing.PayoutScenario;
import io.madetask.bridge.testing.ProcessTest;
import io.madetask.bridge.testing.SandboxResource;
import io.madetask.bridge.testing.ServerDatabase;

/** Two bridge processes on one database share a 1000-task batch: both do part of the work, none of it twice. */
class TwoInstancesIT extends ProcessTest {

    @Override
    protected void startingFaults(SandboxFaults faults) {
        faults.settlementDelayMs = 300;
        faults.settlementJitterMs = 300;
        faults.rateLimitEnabled = false;
    }

    @Test
    void twoProcessesShareABatchAndNoPayoutIsMadeTwice() throws Exception {
        Map<String, String> paced = Map.of("madetask.pace-rate", "0", "bridge.payouts.concurrency", "8");
        try (ServerDatabase db = new ServerDatabase();
                BridgeProcess a = new BridgeProcess("instance-a", sandbox, db, paced);
                BridgeProcess b = new BridgeProcess("instance-b", sandbox, db, paced)) {
            a.start();
            b.start();
            sandbox.configureWebhook(a.baseUrl() + "/webhooks/madetask", SandboxResource.WEBHOOK_SECRET);
            PayoutScenario scenario = new PayoutScenario(a.baseUrl(), sandbox, db).prepare(1000);
            SandboxFaults slower = sandbox.faults();
            slower.latencyMs = 20;
            slower.jitterMs = 20;
            sandbox.applyFaults(slower);
            long createdBefore = sandbox.ledger().get("payouts_created").asLong();

            String batch = scenario.postBatch();
            await().atMost(Duration.ofMinutes(5)).pollInterval(Duration.ofSeconds(1))
                    .until(() -> scenario.batch(batch).at("/counts/paid").asInt() == 1000);

            long byA = db.count("select count(*) from payout where last_instance = 'instance-a'");
            long byB = db.count("select count(*) from payout where last_instance = 'instance-b'");
            System.out.printf("TWO INSTANCES: instance-a recorded %d payouts, instance-b %d%n", byA, byB);
            assertThat(byA).as("instance a did part of the work").isPositive();
            assertThat(byB).as("instance b did part of the work").isPositive();
            assertThat(byA + byB).isEqualTo(1000);
            assertThat(sandbox.ledger().get("payouts_created").asLong() - createdBefore)
                    .as("one MadeTask payout per task, none made twice").isEqualTo(1000);
            assertThat(sandbox.counter("idempotent_replays")).as("no call was carried out twice: " + sandbox.stats())
                    .isZero();
            scenario.assertPaidExactlyOnce();
        }
    }
}
