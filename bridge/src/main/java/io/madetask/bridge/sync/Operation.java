package io.madetask.bridge.sync;

import java.time.Instant;

/** An outbox operation as its handler sees it: what to do for which entity, with the key MadeTask dedups it by. */
public record Operation(long id, String entityType, String entityId, String kind, String payload,
        String idempotencyKey, int attempts, Instant createdAt) {
}
