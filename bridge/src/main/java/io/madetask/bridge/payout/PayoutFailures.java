package io.madetask.bridge.payout;

import java.util.Map;
import java.util.Set;

/**
 * What each way a payout can fail means for the people and for the bridge: whether a new attempt can succeed once its
 * cause has passed, whether the bridge sees that itself, and what a person must do. Codes are MadeTask's failure codes
 * (upper case), its refusals' codes upper-cased, and the bridge's own refusals.
 */
final class PayoutFailures {

    /** MadeTask: the account's balance could not cover the payout. */
    static final String INSUFFICIENT_FUNDS = "INSUFFICIENT_FUNDS";
    static final String BANK_REJECTED = "BANK_REJECTED";
    static final String EXECUTOR_NOT_PAYABLE = "EXECUTOR_NOT_PAYABLE";
    static final String EXECUTOR_BLOCKED = "EXECUTOR_BLOCKED";
    static final String INVALID_PAYOUT_METHOD = "INVALID_PAYOUT_METHOD";
    static final String INCOME_LIMIT_EXCEEDED = "INCOME_LIMIT_EXCEEDED";
    static final String TASK_NOT_ACCEPTED = "TASK_NOT_ACCEPTED";
    static final String AMOUNT_MISMATCH = "AMOUNT_MISMATCH";
    /** The bridge's own refusal: the executor's tax status is not one it pays (bridge.payouts.tax-statuses). */
    static final String NOT_SELF_EMPLOYED = "NOT_SELF_EMPLOYED";

    /** Causes that can pass: a new attempt (by the bridge or an admin) may succeed. */
    static final Set<String> RETRYABLE = Set.of(INSUFFICIENT_FUNDS, BANK_REJECTED, EXECUTOR_NOT_PAYABLE,
            EXECUTOR_BLOCKED, INVALID_PAYOUT_METHOD, INCOME_LIMIT_EXCEEDED, TASK_NOT_ACCEPTED, NOT_SELF_EMPLOYED);

    /** Causes that pass when the executor changes (payable and ACTIVE again, a new payout method, a tax status). */
    static final Set<String> EXECUTOR_CAUSES = Set.of(EXECUTOR_NOT_PAYABLE, EXECUTOR_BLOCKED, INVALID_PAYOUT_METHOD,
            NOT_SELF_EMPLOYED);

    private static final Map<String, String> ACTIONS = Map.of(
            INSUFFICIENT_FUNDS, "Top up the MadeTask balance: the bridge tries again by itself as soon as it sees the "
                    + "balance cover the payout; an admin may retry at once (POST /api/v1/payouts/retry).",
            BANK_REJECTED, "The executor's bank refused the transfer: ask the executor to check the payout method with "
                    + "the bank, then retry (an admin: POST /api/v1/payouts/{id}/retry).",
            EXECUTOR_NOT_PAYABLE, "The executor cannot be paid yet in MadeTask (registration not finished, or the payout "
                    + "method not verified): the bridge pays as soon as MadeTask reports the executor payable.",
            EXECUTOR_BLOCKED, "The executor is blocked: unblock them (POST /api/v1/executors/{crmId}/unblock) and the "
                    + "bridge pays as soon as MadeTask reports them payable again.",
            INVALID_PAYOUT_METHOD, "The payout method is not valid: update it (PUT /api/v1/executors/{crmId}); the bridge "
                    + "pays once MadeTask reports the executor payable with it.",
            INCOME_LIMIT_EXCEEDED, "The payout would take the self-employed executor past the yearly income limit: pay "
                    + "them another way (not under НПД) or cancel the task; the bridge tries again by itself in the new "
                    + "year, or when earlier payouts of theirs fail and free the headroom.",
            TASK_NOT_ACCEPTED, "MadeTask does not have the task ACCEPTED: check the task there (it may be cancelled); "
                    + "when it is accepted again, an admin retries the payout.",
            NOT_SELF_EMPLOYED, "The executor is neither self-employed nor a sole proprietor, so the company would be "
                    + "their tax agent (НДФЛ, contributions), which a payout through MadeTask does not do: pay them "
                    + "outside the bridge. A tax status cannot change once the executor is in MadeTask; one who "
                    + "registers as самозанятый is written as a new executor. If the company does act as their tax "
                    + "agent, add the status to bridge.payouts.tax-statuses: the bridge then pays by itself.",
            AMOUNT_MISMATCH, "The task's reward in MadeTask differs from the amount the bridge pays, and a reward "
                    + "cannot change after acceptance: a new attempt would fail the same way. Settle it with MadeTask "
                    + "support, and pay the task outside the bridge or cancel it in MadeTask.");

    /** Codes whose cause cannot pass: known, and refused with what to do instead. */
    static final Set<String> FINAL = Set.of(AMOUNT_MISMATCH, "VALIDATION_FAILED", "REFUSED", "TASK_NOT_FOUND",
            "EXECUTOR_NOT_FOUND");

    private PayoutFailures() {
    }

    static boolean retryable(String code) {
        return code != null && RETRYABLE.contains(code);
    }

    /** What a person must do about a payout that failed with this code. */
    static String action(String code) {
        if (code == null) {
            return null;
        }
        return ACTIONS.getOrDefault(code, "MadeTask refused the payout (" + code + "; see failureMessage), and a new "
                + "attempt would be refused the same way: take it up with MadeTask support, then pay the task outside "
                + "the bridge or cancel it.");
    }
}
