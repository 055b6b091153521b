package io.madetask.bridge.madetask;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

import io.smallrye.faulttolerance.api.CircuitBreakerState;

/**
 * MadeTask in the readiness report: its circuit breaker and whether its latest call got an answer. It stays UP while
 * MadeTask is down, on purpose: the bridge still takes every write (recorded durably and carried out once MadeTask
 * answers again), so taking pods out of the service would only turn a MadeTask outage into a bridge outage. Alert on
 * {@code bridge_madetask_circuit_state} and {@code bridge_outbox_oldest_age_seconds} instead.
 */
@Readiness
@ApplicationScoped
public class MadeTaskHealthCheck implements HealthCheck {

    private final MadeTaskClient client;

    MadeTaskHealthCheck(MadeTaskClient client) {
        this.client = client;
    }

    @Override
    public HealthCheckResponse call() {
        MadeTaskClient.Reachability r = client.reachability();
        CircuitBreakerState circuit = client.breakerState();
        HealthCheckResponseBuilder b = HealthCheckResponse.named("MadeTask").up()
                .withData("circuit", circuit.name())
                .withData("reachable", r.reachable() == null ? "unknown (no call yet)" : r.reachable().toString());
        if (r.lastAnswerAt() != null) {
            b.withData("lastAnswerAt", r.lastAnswerAt().toString());
        }
        if (r.lastFailureAt() != null) {
            b.withData("lastFailureAt", r.lastFailureAt().toString()).withData("lastFailure", r.lastFailure());
        }
        return b.build();
    }
}
