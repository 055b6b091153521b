package io.madetask.dev;

import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;


import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.madetask.sandbox.MadeTaskSandbox;
import io.madetask.sandbox.SandboxFaults;
import io.madetask.sandbox.SandboxOptions;
import io.vertx.core.Vertx;

/**
 * Starts the sandbox inside the application when {@code madetask.sandbox.enabled} is set (the bridge's {@code %dev}
 * profile sets it): the zero-setup start. This module is only on the bridge's class path in dev mode and in tests, so the
 * packaged application can never start a sandbox or its token issuer. Tests start their own sandbox on a free port.
 */
@ApplicationScoped
public class SandboxLauncher {


    private MadeTaskSandbox sandbox;

    void start(@Observes StartupEvent event, SandboxConfig config, Vertx vertx) {
        if (!config.enabled()) {
            return;
        }
        SandboxFaults faults = new SandboxFaults();
        faults.settlementDelayMs = config.settlementDelayMs();
        faults.rateLimitPerSecond = config.rateLimitPerSecond();
        faults.rateLimitBurst = config.rateLimitBurst();
        SandboxOptions options = new SandboxOptions(config.host(), config.port(),
                Map.of(config.clientId(), config.clientSecret()), config.tokenTtl(), config.initialBalance(),
                config.webhookUrl().orElse(null), config.webhookSecret(), faults);
        sandbox = new MadeTaskSandbox(vertx, options);
        sandbox.start().toCompletionStage().toCompletableFuture().join();
    }

    void stop(@Observes ShutdownEvent event) {
        if (sandbox != null) {
            sandbox.stop();
        }
    }
}
