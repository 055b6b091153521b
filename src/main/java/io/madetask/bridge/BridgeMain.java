package io.madetask.bridge;

import io.madetask.bridge.common.EmbeddedDatabase;
import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.annotations.QuarkusMain;

/**
 * Starts the bridge. When no PostgreSQL is configured and the embedded one is allowed (dev mode, or
 * {@code BRIDGE_EMBEDDED_POSTGRES=true}), it first starts an embedded PostgreSQL and points the bridge at it.
 */
@QuarkusMain
public class BridgeMain {

    public static void main(String... args) {
        EmbeddedDatabase.startIfNeeded();
        Quarkus.run(args);
    }
}
