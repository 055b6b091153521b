package io.madetask.bridge.task;

/** A task's status, as MadeTask's status machine names it. Stored as its name (text) in the database. */
public enum TaskStatus {
    ASSIGNED, IN_PROGRESS, SUBMITTED, ACCEPTED, REJECTED, CANCELLED, PAID
}
