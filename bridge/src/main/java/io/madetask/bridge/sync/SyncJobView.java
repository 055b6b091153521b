package io.madetask.bridge.sync;

import java.time.Instant;
import java.util.Map;

import io.quarkus.runtime.annotations.RegisterForReflection;

/** A background job an admin started: {@code GET /api/v1/sync/jobs/{id}}. Status RUNNING, COMPLETED or FAILED. */
@RegisterForReflection
public record SyncJobView(String id, String kind, String status, String requestedBy, Map<String, Long> counts,
        String error, Instant createdAt, Instant updatedAt, Instant finishedAt) {
}
