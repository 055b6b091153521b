package io.madetask.bridge.executor;

import io.madetask.bridge.common.Money;
import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * An executor's income through the bridge in a calendar year (UTC), against the self-employed's yearly limit: paid,
 * in flight (payouts PENDING or PROCESSING; the current year only), the limit, the headroom left, and the share of
 * the limit used ({@code (paid + inFlight) / limit}, four decimals). {@code limitApplies} is true for a self-employed
 * executor, the only ones the limit binds. Payouts made outside the bridge are not seen here.
 */
@RegisterForReflection
public record IncomeView(int year, Money paid, Money inFlight, Money limit, Money headroom, String share,
        boolean limitApplies) {
}
