package io.madetask.bridge.sync;

import java.time.Instant;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import io.smallrye.mutiny.Uni;

/** Puts work for MadeTask in the outbox, inside the caller's transaction, and wakes the worker once it commits. */
@ApplicationScoped
public class SyncOutbox {

    private final SyncWorker worker;

    SyncOutbox(SyncWorker worker) {
        this.worker = worker;
    }

    public Uni<SyncOperation> enqueue(String entityType, String entityId, String kind, String payload) {
        SyncOperation op = new SyncOperation();
        op.entityType = entityType;
        op.entityId = entityId;
        op.kind = kind;
        op.payload = payload;
        op.idempotencyKey = "bridge-" + entityType.toLowerCase() + "-" + kind.toLowerCase() + "-" + UUID.randomUUID();
        op.status = SyncOperation.PENDING;
        op.nextAttemptAt = Instant.now();
        op.createdAt = op.updatedAt = Instant.now();
        return op.<SyncOperation>persist().invoke(worker::wakeUpSoon);
    }
}
