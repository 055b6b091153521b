package io.madetask.bridge.common;

/** Where an entity stands with MadeTask: work queued for it, in step, or given up (a person must look). Stored as its name (text) in the database. */
public enum SyncState {
    PENDING, SYNCED, FAILED
}
