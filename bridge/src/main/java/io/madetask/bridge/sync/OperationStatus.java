package io.madetask.bridge.sync;

/** An outbox operation's status: PENDING until carried out, then DONE or FAILED (refused for good). Stored as its name (text) in the database. */
public enum OperationStatus {
    PENDING, DONE, FAILED
}
