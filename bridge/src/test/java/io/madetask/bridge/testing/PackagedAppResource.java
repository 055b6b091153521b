package io.madetask.bridge.testing;

import java.util.HashMap;
import java.util.Map;

/**
 * For {@code @QuarkusIntegrationTest}: the sandbox and database of {@link SandboxResource}, plus what the production
 * profile of the packaged application needs and tests want faster (an encryption key, short polling intervals).
 */
public class PackagedAppResource extends SandboxResource {

    @Override
    public Map<String, String> start() {
        Map<String, String> config = new HashMap<>(super.start());
        config.put("bridge.crypto.active-key", BridgeProcess.KEY);
        config.put("bridge.sync.poll-interval", "200MS");
        config.put("bridge.sync.catch-up-interval", "2S");
        config.put("bridge.payouts.poll-interval", "200MS");
        config.put("quarkus.oidc.connection-delay", "PT0S");
        config.put("bridge.security.audience", io.madetask.sandbox.MadeTaskSandbox.DEV_AUDIENCE);
        // the production profile's management port is 9000; tests reach it where Management looks for it
        config.put("quarkus.management.port", "9001");
        return config;
    }
}
