package io.madetask.bridge.payout;

import java.time.Instant;

import com.fasterxml.jackson.annotation.JsonInclude;

import io.madetask.bridge.common.Money;
import io.quarkus.runtime.annotations.RegisterForReflection;

/** A payout as the API shows it. */
@RegisterForReflection
@JsonInclude(JsonInclude.Include.NON_NULL)
public record PayoutView(String id, String taskCrmId, String executorCrmId, Money amount, PayoutStatus status,
        String failureCode, String failureMessage, String failureAction, String receiptUrl, int attempts, String madetaskId,
        String lastError, Instant createdAt, Instant updatedAt, Instant paidAt) {

    static PayoutView of(Payout p) {
        return new PayoutView(p.id, p.taskCrmId, p.executorCrmId, Money.rub(p.amount), p.status, p.failureCode,
                p.failureMessage, p.status == PayoutStatus.FAILED ? PayoutFailures.action(p.failureCode) : null,
                p.receiptUrl, p.attempts, p.madetaskId, p.lastError, p.createdAt, p.updatedAt,
                p.paidAt);
    }
}
