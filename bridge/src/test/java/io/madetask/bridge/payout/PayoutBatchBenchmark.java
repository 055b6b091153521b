package io.madetask.bridge.payout;

import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.madetask.sandbox.MadeTaskSandbox;
import io.madetask.sandbox.SandboxFaults;
import io.madetask.bridge.testing.BridgeProcess;
import io.madetask.bridge.testing.PayoutScenario;
import io.madetask.bridge.testing.ProcessCpu;
import io.madetask.bridge.testing.ServerDatabase;
import io.madetask.bridge.testing.StandaloneSandbox;

/**
 * A 1000-task payout batch against the packaged bridge (its own process, default concurrency and pacing), twice: with
 * the sandbox at its default rate limit (100/s) and 50 ms latency, and with no rate limit and 50 ms latency. Prints
 * wall time, MadeTask calls, 429s, the floor computed from the sandbox's settings and the ratio to it, and the bridge's
 * peak RSS. Then a batch under the fault mix MadeTask is tried with (10 % 5xx, 10 % 503 with Retry-After, 10 % lost
 * answers, 5 % held 3 s, 100/s), with the CRM's API timed during it, and five 1000-task batches in a row with the
 * bridge's RSS after each. Not a test: run it with
 * {@code ./mvnw verify -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false -Dit.test=PayoutBatchBenchmark}.
 */
class PayoutBatchBenchmark {

    private static final int TASKS = 1000;
    /** Tasks paid in a batch before the measured one, so that both JVMs have compiled the paths it takes. */
    private static final int WARM_UP = Integer.getInteger("bench.warm-up", 300);
    private static final long LATENCY_MS = 50;

    @Test
    void defaultRateLimitAnd50msLatency() throws Exception {
        run(true);
    }

    @Test
    void faultMixWithTheApiTimedDuringTheBatch() throws Exception {
        try (StandaloneSandbox standalone = new StandaloneSandbox(new SandboxFaults());
                ServerDatabase db = new ServerDatabase();
                BridgeProcess bridge = new BridgeProcess("bench-faults", standalone.sandbox, db, Map.of())) {
            MadeTaskSandbox sandbox = standalone.sandbox;
            bridge.startReceivingWebhooks();
            PayoutScenario scenario = new PayoutScenario(bridge.baseUrl(), sandbox, db).prepare(TASKS);
            SandboxFaults faults = sandbox.faults();
            faults.errorRate = 0.10;
            faults.unavailableRate = 0.10;
            faults.retryAfterSeconds = 1;
            faults.lostAnswerRate = 0.10;
            faults.timeoutRate = 0.05;
            faults.timeoutHangMs = 3_000;
            faults.refuseSecondPayout = false;
            sandbox.applyFaults(faults);
            long requests = sandbox.counter("requests");
            double opened = openings(bridge);
            io.madetask.bridge.testing.ApiLoad load = new io.madetask.bridge.testing.ApiLoad(bridge.baseUrl(),
                    sandbox.devToken("maria", List.of("manager"), null), scenario.tasks).start(10, 0, 10);
            long started = System.nanoTime();
            String batch = scenario.postBatch();
            await().atMost(Duration.ofMinutes(10)).pollInterval(Duration.ofMillis(200))
                    .until(() -> scenario.batch(batch).at("/counts/paid").asInt() == TASKS);
            double paid = (System.nanoTime() - started) / 1e9;
            load.stop();
            scenario.assertPaidExactlyOnce();
            System.out.printf("%nPAYOUT BATCH UNDER FAULTS: %d tasks, 10 %% 5xx, 10 %% 503 Retry-After 1, 10 %% lost "
                    + "answers, 5 %% held 3 s, 100/s%n", TASKS);
            System.out.printf("  all PAID                          %.2f s%n", paid);
            System.out.printf("  MadeTask calls                    %d%n", sandbox.counter("requests") - requests);
            System.out.printf("  breaker openings                  %d%n", (long) (openings(bridge) - opened));
            System.out.printf("  API during the batch (GET a task, PUT an executor, 20/s): %s%n", load.summary());
        }
    }

    @Test
    void fiveBatchesInARowKeepTheBridgesMemoryFlat() throws Exception {
        SandboxFaults setup = new SandboxFaults();
        setup.settlementDelayMs = 100;
        setup.settlementJitterMs = 100;
        try (StandaloneSandbox standalone = new StandaloneSandbox(setup);
                ServerDatabase db = new ServerDatabase();
                BridgeProcess bridge = new BridgeProcess("bench-rss", standalone.sandbox, db, Map.of())) {
            MadeTaskSandbox sandbox = standalone.sandbox;
            bridge.startReceivingWebhooks();
            System.out.printf("%nFIVE BATCHES IN A ROW: %d tasks each; bridge RSS at start %d MiB%n", TASKS,
                    bridge.rssMib());
            for (int round = 1; round <= 5; round++) {
                PayoutScenario scenario = new PayoutScenario(bridge.baseUrl(), sandbox, db).prepare(TASKS);
                long started = System.nanoTime();
                String batch = scenario.postBatch();
                await().atMost(Duration.ofMinutes(10)).pollInterval(Duration.ofMillis(200))
                        .until(() -> "COMPLETED".equals(scenario.batch(batch).get("status").asText()));
                scenario.assertPaidExactlyOnce();
                System.out.printf("  batch %d COMPLETED in %.1f s; bridge RSS %d MiB (peak so far %d MiB)%n", round,
                        (System.nanoTime() - started) / 1e9, bridge.rssMib(), bridge.peakRssMib());
            }
        }
    }

    private static double openings(BridgeProcess bridge) {
        String metrics = io.restassured.RestAssured.given().baseUri(bridge.managementUrl()).get("/q/metrics")
                .asString();
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("bridge_madetask_circuit_opened_total (\\S+)")
                .matcher(metrics);
        return m.find() ? Double.parseDouble(m.group(1)) : 0;
    }

    @Test
    void noRateLimitAnd50msLatency() throws Exception {
        run(false);
    }

    private void run(boolean rateLimited) throws Exception {
        SandboxFaults setup = new SandboxFaults();
        setup.rateLimitEnabled = false;
        setup.settlementDelayMs = 100;
        setup.settlementJitterMs = 100;
        try (StandaloneSandbox standalone = new StandaloneSandbox(setup);
                ServerDatabase db = new ServerDatabase();
                BridgeProcess bridge = new BridgeProcess("bench", standalone.sandbox, db, Map.of(
                        "bridge.sync.catch-up-interval", "30S",
                        // the bridge paces itself at the account's configured rate: none when the account has none
                        "madetask.pace-rate", rateLimited ? "95" : "0",
                        "bridge.sync.concurrency", "32", "bridge.payouts.concurrency", "32",
                        "quarkus.datasource.reactive.max-size", System.getProperty("bench.pool", "20")))) {
            MadeTaskSandbox sandbox = standalone.sandbox;
            bridge.startReceivingWebhooks();
            PayoutScenario scenario = new PayoutScenario(bridge.baseUrl(), sandbox, db).prepare(WARM_UP + TASKS);
            if (WARM_UP > 0) {
                String warmUp = scenario.postBatch(scenario.tasks.subList(0, WARM_UP));
                await().atMost(Duration.ofMinutes(10)).pollInterval(Duration.ofMillis(200))
                        .until(() -> "COMPLETED".equals(scenario.batch(warmUp).get("status").asText()));
            }
            List<String> measuredTasks = scenario.tasks.subList(WARM_UP, WARM_UP + TASKS);

            SandboxFaults measured = sandbox.faults();
            measured.rateLimitEnabled = rateLimited;
            measured.latencyMs = LATENCY_MS;
            sandbox.applyFaults(measured);
            Thread.sleep(1_100);
            long requests = sandbox.counter("requests");
            long limited = sandbox.counter("rate_limited");

            double bridgeCpu = bridge.cpuSeconds();
            double testJvmCpu = ProcessCpu.ofThisJvm();
            double machineCpu = ProcessCpu.ofMachine();
            java.time.Instant startedAt = java.time.Instant.now();
            long started = System.nanoTime();
            String batch = scenario.postBatch(measuredTasks);
            await().atMost(Duration.ofMinutes(10)).pollInterval(Duration.ofMillis(50))
                    .until(() -> scenario.payoutsIn("PROCESSING", "PAID", "FAILED") == WARM_UP + TASKS);
            double inMadeTask = (System.nanoTime() - started) / 1e9;
            bridgeCpu = bridge.cpuSeconds() - bridgeCpu;
            testJvmCpu = ProcessCpu.ofThisJvm() - testJvmCpu;
            machineCpu = ProcessCpu.ofMachine() - machineCpu;
            long calls = sandbox.counter("requests") - requests;
            long tooMany = sandbox.counter("rate_limited") - limited;
            await().atMost(Duration.ofMinutes(10)).pollInterval(Duration.ofMillis(100))
                    .until(() -> "COMPLETED".equals(scenario.batch(batch).get("status").asText()));
            double completed = (System.nanoTime() - started) / 1e9;
            scenario.assertPaidExactlyOnce();

            double floor = rateLimited ? calls / measured.rateLimitPerSecond
                    : calls * (LATENCY_MS / 1000.0) / 32;
            System.out.printf("%nPAYOUT BATCH BENCHMARK (%s, %d ms latency): %d tasks, after a %d-task warm-up batch%n",
                    rateLimited ? "sandbox rate limit " + (int) measured.rateLimitPerSecond + "/s" : "no rate limit",
                    LATENCY_MS, TASKS, WARM_UP);
            System.out.printf("  all payouts accepted by MadeTask  %.2f s%n", inMadeTask);
            System.out.printf("  batch COMPLETED (all PAID)        %.2f s%n", completed);
            System.out.printf("  MadeTask calls                    %d (429s: %d)%n", calls, tooMany);
            System.out.printf("  floor                             %.2f s (%s)%n", floor, rateLimited
                    ? "calls / rate limit" : "calls x latency / concurrency 32 (acceptances and payouts each at 32)");
            System.out.printf("  ratio to floor                    %.2f%n", inMadeTask / floor);
            System.out.printf("  bridge peak RSS                   %d MiB%n", bridge.peakRssMib());
            int cores = Runtime.getRuntime().availableProcessors();
            System.out.printf("  CPU until all accepted            %.1f core-s of %.1f (%d cores x %.2f s): bridge %.1f, "
                    + "sandbox JVM %.1f, the rest (PostgreSQL, OS) %.1f%n", machineCpu, cores * inMadeTask, cores,
                    inMadeTask, bridgeCpu, testJvmCpu, machineCpu - bridgeCpu - testJvmCpu);
            System.out.printf("  acceptances carried out over      %.2f s; payouts over %.2f s%n",
                    db.count("select (extract(epoch from max(updated_at) - min(updated_at)) * 1000)::bigint from sync_operation where kind = 'TRANSITION' and updated_at >= timestamptz '" + startedAt + "'") / 1000.0,
                    db.count("select (extract(epoch from max(at) - min(at)) * 1000)::bigint from audit_entry where action = 'madetask.payout.create' and at >= timestamptz '" + startedAt + "'") / 1000.0);
        }
    }
}
