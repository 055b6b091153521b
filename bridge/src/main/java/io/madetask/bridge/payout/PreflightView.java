package io.madetask.bridge.payout;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;

import io.madetask.bridge.common.Money;
import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * What a payout batch would do now, changing nothing: per task whether it would be paid and, if not, why; the amount
 * that would go, and MadeTask's balance against it.
 */
@RegisterForReflection
public record PreflightView(int total, int payable, Money amount, Balance balance, List<Item> items) {

    /**
     * MadeTask's available balance now, what the bridge's payouts still waiting to go will take of it, and what
     * would be missing to pay every task that fails no other check. Available and shortfall are null, with a note, when
     * MadeTask's balance could not be read.
     */
    @RegisterForReflection
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Balance(Money available, Money pending, Money shortfall, String note) {
    }

    /**
     * One task: {@code reason} one of task_not_found, invalid_status, already_paid, executor_not_synced,
     * executor_not_payable, executor_blocked, not_self_employed, income_limit_exceeded, insufficient_funds; with a
     * detail for people.
     */
    @RegisterForReflection
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Item(String taskCrmId, boolean wouldPay, String reason, String detail, Money amount,
            String executorCrmId) {
    }
}
