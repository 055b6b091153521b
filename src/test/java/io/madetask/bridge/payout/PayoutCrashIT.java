package io.madetask.bridge.payout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.Map;
import java.util.Random;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.madetask.bridge.sandbox.MadeTaskSandbox;
import io.madetask.bridge.sandbox.SandboxFaults;
import io.madetask.bridge.testing.BridgeProcess;
import io.madetask.bridge.testing.PayoutScenario;
import io.madetask.bridge.testing.SandboxResource;
import io.madetask.bridge.testing.ServerDatabase;
import io.madetask.bridge.testing.StandaloneSandbox;

/**
 * The packaged bridge as its own process, on a PostgreSQL server that outlives it: killed with SIGKILL three times at
 * random moments during a 1000-task batch and started again each time. In the end every task is paid exactly once.
 */
class PayoutCrashIT {

    private StandaloneSandbox standalone;
    private MadeTaskSandbox sandbox;

    @BeforeEach
    void startSandbox() {
        SandboxFaults faults = new SandboxFaults();
        faults.settlementDelayMs = 300;
        faults.settlementJitterMs = 300;
        faults.webhookRetryBaseMs = 200;
        faults.webhookRetryMaxMs = 2_000;
        standalone = new StandaloneSandbox(faults);
        sandbox = standalone.sandbox;
    }

    @AfterEach
    void stopSandbox() {
        standalone.close();
    }

    @Test
    void killedThreeTimesDuringABatchEveryTaskIsStillPaidExactlyOnce() throws Exception {
        try (ServerDatabase db = new ServerDatabase();
                BridgeProcess bridge = new BridgeProcess("crash", sandbox, db, Map.of())) {
            bridge.start();
            sandbox.configureWebhook(bridge.baseUrl() + "/webhooks/madetask", SandboxResource.WEBHOOK_SECRET);
            PayoutScenario scenario = new PayoutScenario(bridge.baseUrl(), sandbox, db).prepare(1000);
            SandboxFaults slower = sandbox.faults();
            slower.latencyMs = 20;
            slower.jitterMs = 30;
            sandbox.applyFaults(slower);

            String batch = scenario.postBatch();
            Random random = new Random();
            for (int kill = 1; kill <= 3; kill++) {
                Thread.sleep(1_000 + random.nextInt(3_000));
                long paidBefore = scenario.payoutsIn("PROCESSING", "PAID");
                bridge.kill();
                System.out.printf("CRASH TEST: SIGKILL %d with %d of 1000 payouts in MadeTask%n", kill, paidBefore);
                bridge.start();
            }

            await().atMost(Duration.ofMinutes(6)).pollInterval(Duration.ofSeconds(1))
                    .until(() -> scenario.batch(batch).at("/counts/paid").asInt() == 1000);
            assertThat(scenario.batch(batch).get("status").asText()).isEqualTo("COMPLETED");
            assertThat(bridge.starts()).isEqualTo(4);
            scenario.assertPaidExactlyOnce();
        }
    }
}
