package io.madetask.bridge.audit;

import java.time.Instant;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import io.smallrye.mutiny.Uni;

/**
 * Writes audit lines inside the caller's transaction, so a change and its audit line land together or not at all.
 * Details must never carry personal data: callers pass ids, states and codes only.
 */
@ApplicationScoped
public class Audit {

    /** The actor of work the bridge does on its own (sync workers, events). */
    public static final String SYSTEM = "system";

    private static final Logger LOG = Logger.getLogger(Audit.class);

    /** A caller's subject as a log may show it: an identity provider may use an email or a phone as the subject. */
    static String loggable(String actor) {
        return actor.indexOf('@') >= 0 || actor.replaceAll("[^0-9]", "").length() >= 7 ? "caller#" + Integer.toHexString(actor.hashCode()) : actor;
    }

    public Uni<Void> record(String actor, String action, String entityType, String entityId, String outcome,
            String requestId, String detail) {
        // One line per write, with the request id (MDC) and the entity; never the detail, which is for the audit only.
        if (actor == null || SYSTEM.equals(actor)) {
            LOG.debugf("%s %s %s: %s", action, entityType, entityId, outcome);
        } else {
            LOG.infof("%s %s %s by %s: %s", action, entityType, entityId, loggable(actor), outcome);
        }
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
