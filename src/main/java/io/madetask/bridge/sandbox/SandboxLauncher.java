package io.madetask.bridge.sandbox;

import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.jboss.logging.Logger;

import io.quarkus.runtime.LaunchMode;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.Vertx;

/**
 * Starts the sandbox inside the application when {@code madetask.sandbox.enabled} is set: the zero-setup demo and dev
 * mode. Tests start their own sandbox on a free port instead.
 */
@ApplicationScoped
public class SandboxLauncher {

    private static final Logger LOG = Logger.getLogger(SandboxLauncher.class);

    private MadeTaskSandbox sandbox;

    void start(@Observes StartupEvent event, SandboxConfig config, Vertx vertx) {
        if (!config.enabled()) {
            return;
        }
        if (LaunchMode.current() == LaunchMode.NORMAL) {
            LOG.warn("The MadeTask SANDBOX is enabled in production mode: no real payouts will be made");
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
