package io.madetask.bridge.audit;

import java.time.Instant;

import jakarta.enterprise.context.ApplicationScoped;

import io.smallrye.mutiny.Uni;

/**
 * Writes audit lines inside the caller's transaction, so a change and its audit line land together or not at all.
 * Details must never carry personal data: callers pass ids, states and codes only.
 */
@ApplicationScoped
public class Audit {

    /** The actor of work the bridge does on its own (sync workers, events). */
    public static final String SYSTEM = "system";

    public Uni<Void> record(String actor, String action, String entityType, String entityId, String outcome,
            String requestId, String detail) {
        AuditEntry entry = new AuditEntry();
        entry.at = Instant.now();
        entry.actor = actor == null ? SYSTEM : actor;
        entry.action = action;
        entry.entityType = entityType;
        entry.entityId = entityId;
        entry.outcome = outcome;
        entry.requestId = requestId;
        entry.detail = detail == null || detail.length() <= 1000 ? detail : detail.substring(0, 1000);
        return entry.persist().replaceWithVoid();
    }
}
