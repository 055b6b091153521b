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
import io.madetask.bridge.testing.ServerDatabase;

/**
 * SIGTERM in the middle of a batch, as Kubernetes stops a pod: the bridge finishes the calls it has in flight, records
 * them, gives back what it claimed but had not started, and exits. Leases here are ten minutes long, so anything it
 * kept instead of giving back would stall the batch after the restart: the batch must finish at once, each task paid
 * exactly once.
 */
class GracefulShutdownIT extends ProcessTest {

    @Override
    protected void startingFaults(SandboxFaults faults) {
        faults.settlementDelayMs = 200;
        faults.settlementJitterMs = 200;
    }

    @Test
    void sigtermDuringABatchLosesNothingAndHoldsNothing() throws Exception {
        Map<String, String> longLeases = Map.of("bridge.sync.lease", "10M", "bridge.payouts.lease", "10M",
                "bridge.payouts.reconcile-after", "10M");
        try (ServerDatabase db = new ServerDatabase();
                BridgeProcess bridge = new BridgeProcess("sigterm", sandbox, db, longLeases)) {
            bridge.startReceivingWebhooks();
            PayoutScenario scenario = new PayoutScenario(bridge.baseUrl(), sandbox, db).prepare(500);
            SandboxFaults slower = sandbox.faults();
            slower.latencyMs = 40;
            slower.jitterMs = 20;
            sandbox.applyFaults(slower);

            String batch = scenario.postBatch();
            await().atMost(Duration.ofMinutes(1)).until(() -> scenario.payoutsIn("PROCESSING", "PAID") >= 50);
            int exit = bridge.terminate(Duration.ofSeconds(40));
            long inMadeTask = scenario.payoutsIn("PROCESSING", "PAID");
            System.out.printf("SIGTERM TEST: exit code %d with %d of 500 payouts in MadeTask%n", exit, inMadeTask);
            assertThat(exit).as("exited within 40 s of SIGTERM").isNotEqualTo(-1);
            assertThat(inMadeTask).as("the batch was still running").isLessThan(500);
            assertThat(db.count("select count(*) from payout where locked_by is not null")).as("payout claims held")
                    .isZero();
            assertThat(db.count("select count(*) from sync_operation where locked_by is not null"))
                    .as("outbox claims held").isZero();
            assertThat(bridge.log()).contains("Payout engine stopped").contains("Outbox worker stopped")
                    .contains("Event inbox stopped").contains("Notification sender stopped")
                    // an engine with nothing in flight (here the sender: no CRM URL) does not wait out the grace
                    .doesNotContain("0 in flight still running");

            bridge.start();
            await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofSeconds(1))
                    .until(() -> scenario.batch(batch).at("/counts/paid").asInt() == 500);
            assertThat(scenario.batch(batch).get("status").asText()).isEqualTo("COMPLETED");
            scenario.assertPaidExactlyOnce();
        }
    }
}
