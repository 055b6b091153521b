package io.madetask.bridge.payout;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonInclude;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

import io.madetask.bridge.common.Money;
import io.quarkus.runtime.annotations.RegisterForReflection;

/** A reconciliation's result: {@code GET /api/v1/reconciliation}. */
@RegisterForReflection
@JsonInclude(JsonInclude.Include.NON_NULL)
@Schema(description = "The bridge's payouts against MadeTask's for a period [from, to): figures of both sides and every difference")
public record ReconciliationView(
        @Schema(description = "The run's id (kept, with its differences, for bridge.reconciliation.retention)") String id,
        @Schema(description = "ON_DEMAND (this call) or DAILY (the daily job)") String kind,
        @Schema(description = "Start of the period, inclusive") Instant from,
        @Schema(description = "End of the period, exclusive") Instant to,
        Instant startedAt, Instant finishedAt,
        @Schema(description = "The bridge's payouts created in the period: those that reached MadeTask (current and earlier attempts) by status, and apart from them those that did not") Side bridge,
        @Schema(description = "MadeTask's payouts (every attempt) created in the period on MadeTask's clock, by status") Side madetask,
        @Schema(description = "How many differences were found, listed or not") long differenceCount,
        @Schema(description = "Differences found, by kind") Map<String, Long> differencesByKind,
        @Schema(description = "Whether more differences were found than are listed (bridge.reconciliation.max-differences)") boolean truncated,
        List<Difference> differences) {

    /** Difference kinds, in the order they are listed. */
    static final List<String> KINDS = List.of("MISSING_IN_BRIDGE", "MISSING_IN_MADETASK", "STATUS_DIFFERS",
            "AMOUNT_DIFFERS");

    /** A count and a sum. */
    @RegisterForReflection
    public record Figure(long count, Money sum) {

        static Figure of(long count, BigDecimal sum) {
            return new Figure(count, Money.rub(sum == null ? BigDecimal.ZERO : sum.setScale(2)));
        }
    }

    /** One side's figures; {@code notInMadeTask} only on the bridge's side (PENDING, or refused before MadeTask made one). */
    @RegisterForReflection
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Side(Map<String, Figure> byStatus, Figure total, Side notInMadeTask) {
    }

    /** The bridge's state of the payout ({@code attempt} set for an earlier attempt of it). */
    @RegisterForReflection
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record BridgeState(String status, Money amount, String taskCrmId, Integer attempt) {
    }

    /** MadeTask's state of the payout. */
    @RegisterForReflection
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record MadeTaskState(String status, Money amount, String taskId, Instant createdAt) {
    }

    /** A difference and what a person does about it; a side is absent when the payout is missing there. */
    @RegisterForReflection
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Difference(
            @Schema(enumeration = {"MISSING_IN_MADETASK", "MISSING_IN_BRIDGE", "STATUS_DIFFERS", "AMOUNT_DIFFERS"}) String kind,
            @Schema(description = "The bridge's payout id") String payoutId,
            @Schema(description = "MadeTask's payout id") String madetaskId,
            BridgeState bridge, MadeTaskState madetask,
            @Schema(description = "What to do about it") String action) {
    }
}
