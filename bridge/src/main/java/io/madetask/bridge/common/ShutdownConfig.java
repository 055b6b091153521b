package io.madetask.bridge.common;

import java.time.Duration;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** What the bridge does on SIGTERM. */
@ConfigMapping(prefix = "bridge.shutdown")
public interface ShutdownConfig {

    /**
     * How long the outbox worker, the payout engine and the notification sender each wait for their work in flight to
     * end before the process exits. Claimed work not yet started is given back at once; work still running after this
     * keeps its lease and is taken up again after it, with the same idempotency key. Keep the sum under Kubernetes'
     * {@code terminationGracePeriodSeconds}.
     */
    @WithDefault("10S")
    Duration grace();
}
