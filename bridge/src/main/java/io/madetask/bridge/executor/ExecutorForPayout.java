package io.madetask.bridge.executor;

import java.time.Instant;

/**
 * What the payout feature needs to know of an executor before it pays: their ids, whether MadeTask says they can be
 * paid, their tax status, and when the bridge last learned something of them.
 */
public record ExecutorForPayout(String crmId, String madetaskId, ExecutorStatus status, boolean payable,
        String taxStatus, Instant updatedAt) {
}
