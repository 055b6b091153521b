package io.madetask.bridge.crm;

import java.time.Instant;
import java.util.Map;

import io.quarkus.runtime.annotations.RegisterForReflection;

/** A notification to the CRM and where its delivery stands. */
@RegisterForReflection
public record NotificationView(String id, String type, String entityType, String entityId, String status,
        int attempts, Integer lastStatusCode, String lastError, Instant nextAttemptAt, Instant createdAt,
        Instant updatedAt, Instant deliveredAt, Map<String, Object> data) {
}
