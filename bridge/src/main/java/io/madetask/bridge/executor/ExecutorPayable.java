package io.madetask.bridge.executor;

/**
 * A CDI event: MadeTask now says the executor can be paid (ACTIVE and payable), where the bridge knew otherwise. Fired
 * inside the transaction that records it; observers must only schedule work, which reads what has committed.
 */
public record ExecutorPayable(String crmId) {
}
