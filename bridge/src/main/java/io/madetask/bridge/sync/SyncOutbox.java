package io.madetask.bridge.sync;

import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;

import jakarta.enterprise.context.ApplicationScoped;

import io.madetask.bridge.work.Backlog;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlClient;

/**
 * The outbox's API for the features: puts work for MadeTask in it, inside the caller's transaction (and wakes the worker
 * once it commits), and says what is still on its way. Only this package touches {@code sync_operation}.
 */
@ApplicationScoped
public class SyncOutbox implements Backlog {

    private final SyncWorker worker;
    private final SyncStore store;

    SyncOutbox(SyncWorker worker, SyncStore store) {
        this.worker = worker;
        this.store = store;
    }

    static String newKey(String entityType, String kind) {
        return "bridge-" + entityType.toLowerCase() + "-" + kind.toLowerCase() + "-" + UUID.randomUUID();
    }

    public Uni<SyncOperation> enqueue(String entityType, String entityId, String kind, String payload) {
        SyncOperation op = new SyncOperation();
        op.entityType = entityType;
        op.entityId = entityId;
        op.kind = kind;
        op.payload = payload;
        op.idempotencyKey = newKey(entityType, kind);
        op.status = SyncOperation.PENDING;
        op.nextAttemptAt = Instant.now();
        op.createdAt = op.updatedAt = Instant.now();
        return op.<SyncOperation>persist().invoke(worker::wakeUpSoon);
    }

    /** One operation for each of many entities, in one statement on the caller's connection (set-based work). */
    public Uni<Void> enqueueAll(SqlClient c, String entityType, List<String> entityIds, String kind, String payload) {
        if (entityIds.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        return store.insertAll(c, entityType, entityIds, kind, payload, "bridge-" + entityType.toLowerCase() + "-"
                + kind.toLowerCase() + "-").invoke(worker::wakeUpSoon);
    }

    /** How many of the entity's operations are pending besides the given one (caller's session). */
    public Uni<Long> pendingBesides(String entityType, String entityId, long operationId) {
        return SyncOperation.count("entityType = ?1 and entityId = ?2 and status = ?3 and id <> ?4", entityType,
                entityId, SyncOperation.PENDING, operationId);
    }

    /** How many of the entity's operations of this kind are pending (caller's session). */
    public Uni<Long> pending(String entityType, String entityId, String kind) {
        return SyncOperation.count("entityType = ?1 and entityId = ?2 and status = ?3 and kind = ?4", entityType,
                entityId, SyncOperation.PENDING, kind);
    }

    /** Of these entities, those with pending operations besides the given ones, and their kinds (caller's session). */
    public Uni<Map<String, Set<String>>> othersPending(String entityType, Collection<String> entityIds,
            Collection<Long> operationIds) {
        return SyncOperation.<SyncOperation>list("entityType = ?1 and status = ?2 and entityId in ?3 and id not in ?4",
                entityType, SyncOperation.PENDING, entityIds, operationIds).map(ops -> ops.stream().collect(
                        Collectors.groupingBy(op -> op.entityId, Collectors.mapping(op -> op.kind, Collectors.toSet()))));
    }

    /** Operations waiting to reach MadeTask, by entity type (EXECUTOR_SYNC, TASK_SYNC). */
    @Override
    public Uni<List<Figures>> figures() {
        return store.backlog();
    }
}
