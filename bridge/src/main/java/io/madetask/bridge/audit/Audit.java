package io.madetask.bridge.audit;

import java.time.Instant;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlClient;

/**
 * Writes audit lines inside the caller's transaction, so a change and its audit line land together or not at all.
 * Details must never carry personal data: callers pass ids, states and codes only.
 */
@ApplicationScoped
public class Audit {

    /** The actor of work the bridge does on its own (sync workers, events). */
    public static final String SYSTEM = "system";

    private static final Logger LOG = Logger.getLogger(Audit.class);

    private final AuditStore store;

    Audit(AuditStore store) {
        this.store = store;
    }

    /** A caller's subject as a log may show it: an identity provider may use an email or a phone as the subject. */
    static String loggable(String actor) {
        return actor.indexOf('@') >= 0 || actor.replaceAll("[^0-9]", "").length() >= 7 ? "caller#" + Integer.toHexString(actor.hashCode()) : actor;
    }

    /** A line inside the caller's Hibernate Reactive transaction (entity work). */
    public Uni<Void> record(String actor, String action, String entityType, String entityId, String outcome,
            String requestId, String detail) {
        return recordAll(actor, List.of(new Line(action, entityType, entityId, outcome, requestId, detail)));
    }

    /** One audit line of many written together. */
    public record Line(String action, String entityType, String entityId, String outcome, String requestId,
            String detail) {
    }

    /** Many lines at once, inside the caller's Hibernate Reactive transaction. */
    public Uni<Void> recordAll(String actor, List<Line> lines) {
        List<AuditEntry> entries = new java.util.ArrayList<>(lines.size());
        for (Line l : lines) {
            log(actor, l.action(), l.entityType(), l.entityId(), l.outcome());
            AuditEntry entry = new AuditEntry();
            entry.at = Instant.now();
            entry.actor = actor == null ? SYSTEM : actor;
            entry.action = l.action();
            entry.entityType = l.entityType();
            entry.entityId = l.entityId();
            entry.outcome = l.outcome();
            entry.requestId = l.requestId();
            entry.detail = clip(l.detail());
            entries.add(entry);
        }
        return AuditEntry.persist(entries);
    }

    /** A line on the caller's connection, inside its transaction (set-based and engine work). */
    public Uni<Void> record(SqlClient c, String actor, String action, String entityType, String entityId,
            String outcome, String requestId, String detail) {
        return recordAll(c, actor, action, entityType, List.of(entityId), outcome, requestId, detail);
    }

    /** One line per entity, in one statement, on the caller's connection. */
    public Uni<Void> recordAll(SqlClient c, String actor, String action, String entityType, List<String> entityIds,
            String outcome, String requestId, String detail) {
        if (entityIds.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        if (entityIds.size() == 1) {
            log(actor, action, entityType, entityIds.get(0), outcome);
        } else {
            log(actor, action, entityType, entityIds.size() + " entities", outcome);
        }
        return store.insert(c, actor == null ? SYSTEM : actor, action, entityType, entityIds, outcome, requestId,
                clip(detail));
    }

    // One line per write, with the request id (MDC) and the entity; never the detail, which is for the audit only.
    private static void log(String actor, String action, String entityType, String entityId, String outcome) {
        if (actor == null || SYSTEM.equals(actor)) {
            LOG.debugf("%s %s %s: %s", action, entityType, entityId, outcome);
        } else {
            LOG.infof("%s %s %s by %s: %s", action, entityType, entityId, loggable(actor), outcome);
        }
    }

    private static String clip(String detail) {
        return detail == null || detail.length() <= 1000 ? detail : detail.substring(0, 1000);
    }
}
