package io.madetask.bridge.testing;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import io.madetask.sandbox.MadeTaskSandbox;
import io.madetask.sandbox.SandboxOptions;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.vertx.core.Vertx;

/**
 * Starts, before the application, a MadeTask sandbox on a free port (in this JVM, with its own Vert.x) and the test
 * database, and points the bridge at both: MadeTask API, OAuth2 token endpoint, and the sandbox's dev OIDC issuer.
 */
public class SandboxResource implements QuarkusTestResourceLifecycleManager {

    public static final String WEBHOOK_SECRET = "test-webhook-secret";

    /** Init arg: lifetime of the sandbox's access tokens, e.g. {@code 3S}; MadeTask's 15 minutes when absent. */
    public static final String TOKEN_TTL = "token-ttl";

    private Vertx vertx;
    private MadeTaskSandbox sandbox;
    private Duration tokenTtl = Duration.ofMinutes(15);

    @Override
    public void init(Map<String, String> initArgs) {
        if (initArgs.containsKey(TOKEN_TTL)) {
            tokenTtl = Duration.parse("PT" + initArgs.get(TOKEN_TTL));
        }
    }

    @Override
    public Map<String, String> start() {
        vertx = Vertx.vertx();
        SandboxOptions defaults = SandboxOptions.defaults();
        sandbox = new MadeTaskSandbox(vertx, new SandboxOptions(defaults.host(), 0, Map.of("bridge", "bridge-secret"),
                tokenTtl, defaults.initialBalance(), null, WEBHOOK_SECRET, defaults.faults()));
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
