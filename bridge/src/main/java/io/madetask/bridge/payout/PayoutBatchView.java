package io.madetask.bridge.payout;

import java.time.Instant;

import com.fasterxml.jackson.annotation.JsonInclude;

import io.quarkus.runtime.annotations.RegisterForReflection;

/** A payout batch and its live counts. */
@RegisterForReflection
public record PayoutBatchView(String id, String status, int total, Counts counts, Instant createdAt,
        Instant finishedAt) {

    @RegisterForReflection
    public record Counts(long pending, long processing, long paid, long failed, long rejected) {
    }

    /** One task of a batch: its payout, or why it was not paid. */
    @RegisterForReflection
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Item(String taskCrmId, String status, String payoutId, String failureCode, ItemError error) {
    }

    @RegisterForReflection
    public record ItemError(String code, String message) {
    }
}
