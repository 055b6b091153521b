package io.madetask.bridge.madetask;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Map;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.madetask.bridge.testing.SandboxResource;
import io.madetask.bridge.testing.SandboxTest;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

/** MadeTask tokens that live 4 seconds, renewed 2 seconds before they expire: never refused, never fetched early. */
@QuarkusTest
@TestProfile(MadeTaskTokenRenewalTest.ShortSkew.class)
@WithTestResource(value = SandboxResource.class, initArgs = @ResourceArg(name = SandboxResource.TOKEN_TTL, value = "4S"))
class MadeTaskTokenRenewalTest extends SandboxTest {

    public static class ShortSkew implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("madetask.token-refresh-skew", "2S", "bridge.sync.enabled", "false");
        }
    }

    @Inject
    MadeTaskClient client;

    @Test
    void tokenIsRenewedBeforeItExpiresSoMadeTaskNeverRefusesIt() throws InterruptedException {
        client.balance().await().atMost(Duration.ofSeconds(10));
        long issued = sandbox.counter("tokens_issued");

        client.balance().await().atMost(Duration.ofSeconds(10));
        assertThat(sandbox.counter("tokens_issued")).as("still fresh: reused").isEqualTo(issued);

        Thread.sleep(2_500);
        client.balance().await().atMost(Duration.ofSeconds(10));

        assertThat(sandbox.counter("tokens_issued")).as("within the skew: renewed").isEqualTo(issued + 1);
        assertThat(sandbox.counter("unauthorized")).isZero();
    }
}
