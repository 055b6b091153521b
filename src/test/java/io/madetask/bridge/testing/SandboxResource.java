package io.madetask.bridge.testing;

import java.util.HashMap;
import java.util.Map;

import io.madetask.bridge.sandbox.MadeTaskSandbox;
import io.madetask.bridge.sandbox.SandboxOptions;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.vertx.core.Vertx;

/**
 * Starts, before the application, a MadeTask sandbox on a free port (in this JVM, with its own Vert.x) and the test
 * database, and points the bridge at both: MadeTask API, OAuth2 token endpoint, and the sandbox's dev OIDC issuer.
 */
public class SandboxResource implements QuarkusTestResourceLifecycleManager {

    public static final String WEBHOOK_SECRET = "test-webhook-secret";

    private Vertx vertx;
    private MadeTaskSandbox sandbox;

    @Override
    public Map<String, String> start() {
        vertx = Vertx.vertx();
        sandbox = new MadeTaskSandbox(vertx,
                SandboxOptions.defaults().withClient("bridge", "bridge-secret").withWebhook(null, WEBHOOK_SECRET));
        sandbox.start().toCompletionStage().toCompletableFuture().join();
        Map<String, String> config = new HashMap<>(TestDatabase.config());
        config.put("madetask.base-url", sandbox.baseUrl());
        config.put("madetask.client-id", "bridge");
        config.put("madetask.client-secret", "bridge-secret");
        config.put("madetask.webhook-secret", WEBHOOK_SECRET);
        config.put("quarkus.oidc.auth-server-url", sandbox.issuer());
        return config;
    }

    @Override
    public void inject(TestInjector injector) {
        injector.injectIntoFields(sandbox,
                new TestInjector.AnnotatedAndMatchesType(InjectSandbox.class, MadeTaskSandbox.class));
    }

    @Override
    public void stop() {
        if (sandbox != null) {
            sandbox.stop().toCompletionStage().toCompletableFuture().join();
        }
        if (vertx != null) {
            vertx.close().toCompletionStage().toCompletableFuture().join();
        }
    }
}
