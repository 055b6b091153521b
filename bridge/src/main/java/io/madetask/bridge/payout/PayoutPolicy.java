package io.madetask.bridge.payout;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.jboss.logging.Logger;

import io.madetask.bridge.common.Money;
import io.madetask.bridge.executor.ExecutorForPayout;
import io.madetask.bridge.executor.IncomeView;
import io.quarkus.runtime.StartupEvent;

/**
 * The bridge's own rules before a payout is made, the same for the engine, the preflight and a batch: the tax
 * statuses it pays ({@code bridge.payouts.tax-statuses}) and the self-employed's yearly income limit
 * ({@code bridge.payouts.income-limit}). Income years are calendar years in UTC.
 */
@ApplicationScoped
class PayoutPolicy {

    private static final Logger LOG = Logger.getLogger(PayoutPolicy.class);
    static final String SELF_EMPLOYED = "SELF_EMPLOYED";

    private final PayoutConfig config;
    private final PayoutStore store;

    PayoutPolicy(PayoutConfig config, PayoutStore store) {
        this.config = config;
        this.store = store;
    }

    /** The limit and warning share go to the database, where the payout trigger sends the income notice. */
    void start(@Observes StartupEvent event) {
        BigDecimal share = config.incomeWarningShare();
        if (config.incomeLimit().signum() <= 0 || share.signum() <= 0 || share.compareTo(BigDecimal.ONE) > 0) {
            throw new IllegalStateException("bridge.payouts.income-limit must be positive and "
                    + "bridge.payouts.income-warning-share between 0 and 1");
        }
        store.incomePolicy(limit(), share.setScale(4, RoundingMode.HALF_UP)).subscribe().with(v -> { },
                e -> LOG.warnf("Recording the income policy failed (the notice keeps the previous one): %s", e));
    }

    BigDecimal limit() {
        return config.incomeLimit().setScale(2, RoundingMode.HALF_UP);
    }

    /** A rule's refusal: the failure code and a message for people. */
    record Refusal(String code, String message) {
    }

    /** Null when the bridge pays this executor's tax status. */
    Refusal taxRefusal(ExecutorForPayout e) {
        if (e == null || e.taxStatus() == null || config.taxStatuses().contains(e.taxStatus())) {
            return null;
        }
        return new Refusal(PayoutFailures.NOT_SELF_EMPLOYED, "The executor's tax status is " + e.taxStatus()
                + "; the bridge pays " + String.join(" and ", config.taxStatuses().stream().sorted().toList()));
    }

    /** Null unless the bridge has the executor BLOCKED (its own block, on its way to MadeTask or there already). */
    Refusal blockedRefusal(ExecutorForPayout e) {
        return e != null && e.status() == io.madetask.bridge.executor.ExecutorStatus.BLOCKED
                ? new Refusal(PayoutFailures.EXECUTOR_BLOCKED, "The executor is blocked") : null;
    }

    /**
     * Null when paying {@code amount} keeps a self-employed executor within the year's limit, given what they were
     * paid this year and what of theirs goes before it.
     */
    Refusal incomeRefusal(ExecutorForPayout e, BigDecimal paid, BigDecimal ahead, BigDecimal amount) {
        if (e == null || !SELF_EMPLOYED.equals(e.taxStatus())) {
            return null;
        }
        BigDecimal after = paid.add(ahead).add(amount);
        if (after.compareTo(limit()) <= 0) {
            return null;
        }
        return new Refusal(PayoutFailures.INCOME_LIMIT_EXCEEDED, "Paying " + amount.toPlainString()
                + " RUB would take the executor to " + after.toPlainString() + " RUB this year, past the "
                + limit().toPlainString() + " RUB limit of the self-employed");
    }

    /**
     * What goes before a payout against the income limit: the executor's payouts at MadeTask, and of those waiting that
     * were made before it, each one that itself fits (in order; one that would pass the limit will be refused, so it
     * takes nothing). The preflight counts a batch the same way, in the body's order.
     */
    BigDecimal ahead(BigDecimal paid, BigDecimal processing, List<BigDecimal> earlierPending) {
        BigDecimal used = paid.add(processing);
        for (BigDecimal amount : earlierPending) {
            if (used.add(amount).compareTo(limit()) <= 0) {
                used = used.add(amount);
            }
        }
        return used.subtract(paid);
    }

    static int currentYear() {
        return OffsetDateTime.now(ZoneOffset.UTC).getYear();
    }

    static OffsetDateTime yearStart(int year) {
        return OffsetDateTime.of(year, 1, 1, 0, 0, 0, 0, ZoneOffset.UTC);
    }

    /** The income view of one executor and year. */
    IncomeView view(int year, ExecutorForPayout e, PayoutStore.Income income) {
        BigDecimal paid = income == null ? BigDecimal.ZERO : income.paid();
        BigDecimal inFlight = income == null || year != currentYear() ? BigDecimal.ZERO : income.inFlight();
        BigDecimal used = paid.add(inFlight);
        BigDecimal headroom = limit().subtract(used).max(BigDecimal.ZERO);
        String share = used.divide(limit(), 4, RoundingMode.HALF_UP).toPlainString();
        return new IncomeView(year, Money.rub(paid.setScale(2)), Money.rub(inFlight.setScale(2)), Money.rub(limit()),
                Money.rub(headroom.setScale(2)), share, e != null && SELF_EMPLOYED.equals(e.taxStatus()));
    }
}
