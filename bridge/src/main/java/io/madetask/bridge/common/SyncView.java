package io.madetask.bridge.common;

import java.time.Instant;

import io.quarkus.runtime.annotations.RegisterForReflection;

/** Where an entity stands with MadeTask: PENDING (work queued), SYNCED, or FAILED (with the reason). */
@RegisterForReflection
public record SyncView(SyncState state, Instant lastSyncedAt, String lastError) {
}
