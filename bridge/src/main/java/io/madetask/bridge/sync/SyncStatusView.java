package io.madetask.bridge.sync;

import java.time.Instant;
import java.util.List;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * Where the bridge's work with MadeTask and the CRM stands: {@code GET /api/v1/sync/status}. {@code lastReconciliation}
 * is the last settlement of payouts PROCESSING too long; {@code lastDailyReconciliation} the last daily comparison of
 * the bridge's payouts with MadeTask's (outcome OK, DIFFERENCES or FAILED).
 */
@RegisterForReflection
public record SyncStatusView(Instant generatedAt, MadeTask madetask, List<Work> work, Long oldestPendingAgeSeconds,
        Event lastEvent, Run lastCatchUp, Run lastReconciliation, Run lastDailyReconciliation) {

    /**
     * MadeTask as this instance sees it: the circuit breaker (CLOSED, OPEN, HALF_OPEN), and whether its latest call got
     * an answer (null before the first call).
     */
    @RegisterForReflection
    public record MadeTask(String circuit, Boolean reachable, Instant lastAnswerAt, Instant lastFailureAt,
            String lastFailure) {
    }

    /**
     * One kind of work: EXECUTOR_SYNC and TASK_SYNC (outbox operations pending; entities whose sync FAILED), PAYOUT
     * (PENDING, PROCESSING at MadeTask, FAILED), NOTIFICATION (waiting for delivery; given up as FAILED).
     */
    @RegisterForReflection
    public record Work(String kind, long pending, Long processing, long failed, Long oldestPendingAgeSeconds) {
    }

    /** The last MadeTask event the bridge took (webhook or catch-up), on any instance. */
    @RegisterForReflection
    public record Event(String id, String type, String source, String outcome, Instant processedAt) {
    }

    /** The last run of a periodic job, on any instance. */
    @RegisterForReflection
    public record Run(Instant at, String outcome, String detail) {
    }
}
