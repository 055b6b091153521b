package io.madetask.bridge.executor;

/** An executor's status, as MadeTask's contract names it: INVITED until registration is finished, then ACTIVE; BLOCKED either way. Stored as its name (text) in the database. */
public enum ExecutorStatus {
    INVITED, ACTIVE, BLOCKED
}
