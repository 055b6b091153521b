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

    /** The start of an operation's idempotency key; a random UUID completes it. */
    private static String keyPrefix(String entityType, Enum<?> kind) {
        return "bridge-" + entityType.toLowerCase() + "-" + kind.name().toLowerCase() + "-";
    }

    public Uni<SyncOperation> enqueue(String entityType, String entityId, Enum<?> kind, String payload) {
        SyncOperation op = new SyncOperation();
        op.entityType = entityType;
        op.entityId = entityId;
        op.kind = kind.name();
        op.payload = payload;
        op.idempotencyKey = keyPrefix(entityType, kind) + UUID.randomUUID();
        op.status = OperationStatus.PENDING;
        op.nextAttemptAt = Instant.now();
        op.createdAt = op.updatedAt = Instant.now();
        return op.<SyncOperation>persist().invoke(worker::wakeUpSoon);
    }

    /** One operation for each of many entities, in one statement on the caller's connection (set-based work). */
    public Uni<Void> enqueueAll(SqlClient c, String entityType, List<String> entityIds, Enum<?> kind,
            String payload) {
        if (entityIds.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        return store.insertAll(c, entityType, entityIds, kind.name(), payload, keyPrefix(entityType, kind))
                .invoke(worker::wakeUpSoon);
    }

    /** How many of the entity's operations are pending besides the given one (caller's session). */
    public Uni<Long> pendingBesides(String entityType, String entityId, long operationId) {
        return SyncOperation.count("entityType = ?1 and entityId = ?2 and status = ?3 and id <> ?4", entityType,
                entityId, OperationStatus.PENDING, operationId);
    }

    /** How many of the entity's operations of this kind are pending (caller's session). */
    public Uni<Long> pending(String entityType, String entityId, Enum<?> kind) {
        return SyncOperation.count("entityType = ?1 and entityId = ?2 and status = ?3 and kind = ?4", entityType,
                entityId, OperationStatus.PENDING, kind.name());
    }

    /** Of these entities, those with pending operations besides the given ones, and their kinds (caller's session). */
    public Uni<Map<String, Set<String>>> othersPending(String entityType, Collection<String> entityIds,
            Collection<Long> operationIds) {
        return SyncOperation.<SyncOperation>list("entityType = ?1 and status = ?2 and entityId in ?3 and id not in ?4",
                entityType, OperationStatus.PENDING, entityIds, operationIds).map(ops -> ops.stream().collect(
                        Collectors.groupingBy(op -> op.entityId, Collectors.mapping(op -> op.kind, Collectors.toSet()))));
    }

    /** Operations waiting to reach MadeTask, by entity type (EXECUTOR_SYNC, TASK_SYNC). */
    @Override
    public Uni<List<Figures>> figures() {
        return store.backlog();
    }
}
