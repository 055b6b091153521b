package io.madetask.bridge.sync;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.madetask.bridge.testing.SandboxResource;
import io.madetask.bridge.testing.SandboxTest;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.smallrye.mutiny.Uni;

/**
 * Claims are exclusive: four workers draining one outbox at once carry out every operation exactly once, which
 * MadeTask sees as one request per idempotency key and not a single replay.
 */
@QuarkusTest
@TestProfile(OutboxClaimTest.ManualWorkers.class)
@WithTestResource(SandboxResource.class)
class OutboxClaimTest extends SandboxTest {

    public static class ManualWorkers implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("bridge.sync.enabled", "false", "bridge.sync.bulk-threshold", "100000",
                    "bridge.sync.claim-batch", "7", "bridge.sync.concurrency", "3");
        }
    }

    @Inject
    SyncWorker worker;

    @Test
    void concurrentWorkersNeverCarryOutOneOperationTwice() {
        List<String> executors = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            executors.add(api.putExecutor("Параллельный " + i));
        }
        long before201 = sandbox.counter("status_201");

        List<Integer> done = Uni.join().all(worker.drain(), worker.drain(), worker.drain(), worker.drain())
                .andFailFast().await().atMost(Duration.ofSeconds(60));

        assertThat(done.stream().mapToInt(Integer::intValue).sum()).as("operations carried out").isEqualTo(60);
        assertThat(done).as("every worker took a share").allMatch(n -> n > 0);
        assertThat(sandbox.counter("status_201") - before201).isEqualTo(60);
        assertThat(sandbox.counter("idempotent_replays")).isZero();
        executors.forEach(crmId -> assertThat(sandbox.executorsByExternalId(crmId)).hasSize(1));
        executors.forEach(crmId -> api.manager().get("/api/v1/executors/" + crmId)
                .then().body("sync.state", org.hamcrest.Matchers.equalTo("SYNCED")));
    }
}
