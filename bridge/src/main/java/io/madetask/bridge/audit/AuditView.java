package io.madetask.bridge.audit;

import java.time.Instant;

import io.quarkus.runtime.annotations.RegisterForReflection;

/** An audit line as the API shows it. */
@RegisterForReflection
public record AuditView(long id, Instant at, String actor, String action, String entityType, String entityId,
        String outcome, String requestId, String detail) {

    static AuditView of(AuditEntry e) {
        return new AuditView(e.id, e.at, e.actor, e.action, e.entityType, e.entityId, e.outcome, e.requestId, e.detail);
    }
}
