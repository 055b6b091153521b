package io.madetask.bridge.work;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import io.madetask.bridge.common.ShutdownConfig;
import io.quarkus.runtime.ShutdownDelayInitiatedEvent;
import io.quarkus.runtime.ShutdownEvent;

/**
 * SIGTERM, for every work engine at once: no new claims anywhere; work in flight finishes and its outcome is recorded
 * (up to {@code bridge.shutdown.grace} for all engines together); what was claimed and not started is given back, so
 * another instance takes it at once. Work still running after the grace keeps its lease and is resumed after it (with
 * the same idempotency key).
 */
@ApplicationScoped
class WorkShutdown {

    private final ShutdownConfig shutdown;

    WorkShutdown(ShutdownConfig shutdown) {
        this.shutdown = shutdown;
    }

    // On SIGTERM Quarkus fires this first, while the HTTP client, tokens and database pool all still work.
    void beforeShutdown(@Observes ShutdownDelayInitiatedEvent event) {
        LeasedWork.stopAll(shutdown.grace());
    }

    void stop(@Observes ShutdownEvent event) {
        LeasedWork.stopAll(shutdown.grace());
    }
}
