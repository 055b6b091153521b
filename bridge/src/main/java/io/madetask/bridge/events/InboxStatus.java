package io.madetask.bridge.events;

/** A stored event's status: PENDING until applied, then DONE, or FAILED after its last try. Stored as its name. */
public enum InboxStatus {
    PENDING, DONE, FAILED
}
