package io.madetask.bridge.testing;

import java.util.Map;

import io.madetask.sandbox.MadeTaskSandbox;
import io.madetask.sandbox.SandboxFaults;
import io.madetask.sandbox.SandboxOptions;
import io.vertx.core.Vertx;

/** A sandbox on a free port with its own Vert.x, for tests that run the bridge as a separate process. */
public final class StandaloneSandbox implements AutoCloseable {

    private final Vertx vertx = Vertx.vertx();
    public final MadeTaskSandbox sandbox;

    public StandaloneSandbox(SandboxFaults faults) {
        SandboxOptions defaults = SandboxOptions.defaults();
        sandbox = new MadeTaskSandbox(vertx, new SandboxOptions("127.0.0.1", 0, Map.of("bridge", "bridge-secret"),
                defaults.tokenTtl(), defaults.initialBalance(), null, SandboxResource.WEBHOOK_SECRET, faults));
        sandbox.start().toCompletionStage().toCompletableFuture().join();
    }

    @Override
    public void close() {
        sandbox.stop().toCompletionStage().toCompletableFuture().join();
        vertx.close().toCompletionStage().toCompletableFuture().join();
    }
}
