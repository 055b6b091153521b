package io.madetask.bridge.payout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.Map;
import java.util.Random;

import org.junit.jupiter.api.Test;

import io.madetask.sandbox.SandboxFaults;
import io.madetask.bridge.testing.BridgeProcess;
import io.madetask.bridge.testing.PayoutScenario;
import io.madetask.bridge.testing.ProcessTest;
import io.madetask.bridge.testing.ServerDatabase;

/**
 * The packaged bridge as its own process, on a PostgreSQL server that outlives it: killed with SIGKILL three times at
 * random moments during a 1000-task batch, with webhooks delivered late, out of order and often twice and the catch-up
 * running, and started again each time. A restarted instance takes its own claims back at once (it never waits for
 * their leases); in the end every task is paid exactly once, by MadeTask's ledger, with MadeTask NOT refusing a second
 * payout for a task (so a double payment would show). Two rounds, each on a fresh database and seed.
 */
class PayoutCrashIT extends ProcessTest {

    @Override
    protected void startingFaults(SandboxFaults faults) {
        faults.settlementDelayMs = 300;
        faults.settlementJitterMs = 300;
        faults.webhookRetryBaseMs = 200;
        faults.webhookRetryMaxMs = 2_000;
        faults.webhookDuplicateRate = 0.1;
        faults.webhookReorderRate = 0.5;
        faults.webhookReorderMaxDelayMs = 300;
        faults.refuseSecondPayout = false;
    }

    @Test
    void killedThreeTimesDuringABatchEveryTaskIsStillPaidExactlyOnce() throws Exception {
        for (int round = 1; round <= 2; round++) {
            crashRound(round, new Random().nextLong());
        }
    }

    private void crashRound(int round, long seed) throws Exception {
        try (ServerDatabase db = new ServerDatabase();
                BridgeProcess bridge = new BridgeProcess("crash", sandbox, db, Map.of())) {
            bridge.startReceivingWebhooks();
            PayoutScenario scenario = new PayoutScenario(bridge.baseUrl(), sandbox, db).prepare(1000);
            SandboxFaults slower = sandbox.faults();
            slower.latencyMs = 20;
            slower.jitterMs = 30;
            sandbox.applyFaults(slower);

            long posted = System.nanoTime();
            String batch = scenario.postBatch();
            Random random = new Random(seed);
            long mostClaimed = 0;
            long slowestResume = 0;
            for (int kill = 1; kill <= 3; kill++) {
                // While payouts flow (so that a full pipeline of claims is held), at a random moment.
                int reached = kill * 200;
                await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(100))
                        .until(() -> scenario.payoutsIn("PROCESSING", "PAID") >= reached);
                Thread.sleep(random.nextInt(1_500));
                String claims = "select (select count(*) from payout where locked_by is not null)"
                        + " + (select count(*) from sync_operation where locked_by is not null and status = 'PENDING')";
                // ... and with at least 30 operations claimed, so that many are due at once at the restart.
                await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(20))
                        .until(() -> db.count(claims) >= 30);
                long inMadeTask = scenario.payoutsIn("PROCESSING", "PAID");
                bridge.kill();
                long claimed = db.count(claims);
                mostClaimed = Math.max(mostClaimed, claimed);
                String held = "kill_" + round + "_" + kill;
                db.execute("create table " + held + " as select id from payout where locked_by is not null"
                        + " and status = 'PENDING'");
                bridge.start();
                long restarted = System.nanoTime();
                // The killed process's claims are taken back at the restart, not after their 30 s leases: every
                // payout it held is in MadeTask again well within one lease.
                await().atMost(Duration.ofSeconds(25)).pollInterval(Duration.ofMillis(200)).until(() -> db.count(
                        "select count(*) from payout where status = 'PENDING' and id in (select id from " + held + ")")
                        == 0);
                long resume = Duration.ofNanos(System.nanoTime() - restarted).toMillis();
                slowestResume = Math.max(slowestResume, resume);
                System.out.printf("CRASH TEST round %d (seed %d): SIGKILL %d with %d of 1000 payouts in MadeTask and"
                        + " %d claims held; progress again %d ms after the restart%n", round, seed, kill, inMadeTask,
                        claimed, resume);
            }

            await().atMost(Duration.ofMinutes(5)).pollInterval(Duration.ofSeconds(1))
                    .until(() -> scenario.batch(batch).at("/counts/paid").asInt() == 1000);
            System.out.printf("CRASH TEST round %d: 1000 paid %d s after the batch was posted; most claims held at a "
                    + "kill %d; slowest resume %d ms%n", round, Duration.ofNanos(System.nanoTime() - posted)
                            .toSeconds(), mostClaimed, slowestResume);
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofSeconds(1))
                    .until(() -> "COMPLETED".equals(scenario.batch(batch).get("status").asText()));
            assertThat(bridge.starts()).isEqualTo(4);
            assertThat(mostClaimed).as("work was claimed at a kill").isGreaterThanOrEqualTo(30);
            scenario.assertPaidExactlyOnce();
            assertThat(bridge.log()).doesNotContain("non-threadsafe", "Mutiny had to drop", "OutOfMemoryError");
        }
    }
}
