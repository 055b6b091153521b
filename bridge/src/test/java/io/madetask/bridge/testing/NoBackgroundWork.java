package io.madetask.bridge.testing;

import java.util.Map;

import io.quarkus.test.junit.QuarkusTestProfile;

/** The bridge without its outbox worker and event catch-up, for tests that count every call MadeTask receives. */
public class NoBackgroundWork implements QuarkusTestProfile {

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of("bridge.sync.enabled", "false");
    }
}
