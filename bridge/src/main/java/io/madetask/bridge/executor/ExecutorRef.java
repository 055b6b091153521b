package io.madetask.bridge.executor;

/** What other features may know of an executor: its ids, its status and its sync state. */
public record ExecutorRef(String crmId, String madetaskId, ExecutorStatus status,
        io.madetask.bridge.common.SyncState syncState) {
}
