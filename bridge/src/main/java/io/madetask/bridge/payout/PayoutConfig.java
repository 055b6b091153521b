package io.madetask.bridge.payout;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.Set;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** How the bridge pays. */
@ConfigMapping(prefix = "bridge.payouts")
public interface PayoutConfig {

    /** Run the payout engine and the reconciliation in this instance. */
    @WithDefault("true")
    boolean enabled();

    /**
     * Payout calls in flight in this instance. Keep it at most the REST client's connection pool
     * ({@code quarkus.rest-client.madetask.connection-pool-size}); each outcome holds a database connection only for
     * its own short transaction.
     */
    @WithDefault("32")
    int concurrency();

    /** How often the engine looks for due payouts when nothing woke it. */
    @WithDefault("1S")
    Duration pollInterval();

    /**
     * A claim's lease: a payout claimed by an instance that died is taken up again after it, with the same key. The
     * engine renews the leases of its running work every third of this, so a call may last longer than the lease.
     */
    @WithDefault("30S")
    Duration lease();

    /** First delay before a payout whose call failed in a way that may pass is tried again; doubles each time. */
    @WithDefault("1S")
    Duration retryInitial();

    /** Longest delay between two tries of one payout. */
    @WithDefault("1M")
    Duration retryMax();

    /** A payout PROCESSING longer than this is settled from MadeTask's answer by the reconciliation. */
    @WithDefault("5M")
    Duration reconcileAfter();

    /** How often the reconciliation runs. */
    @WithDefault("1M")
    Duration reconcileInterval();

    /**
     * How often the bridge looks for FAILED payouts whose cause has passed (the executor payable again, the balance
     * topped up, a new year) and tries them again. It is also woken when an executor becomes payable.
     */
    @WithDefault("1M")
    Duration recoveryInterval();

    /**
     * First wait before a payout tried again automatically may be tried automatically once more (it doubles each
     * time, up to {@code recovery-max-delay}): a cause that only seemed to pass costs a call per growing interval.
     */
    @WithDefault("1M")
    Duration recoveryDelay();

    /** Longest wait between two automatic tries of one payout. */
    @WithDefault("1H")
    Duration recoveryMaxDelay();

    /** The self-employed's yearly income limit (НПД), in RUB: a payout that would pass it is not made. */
    @WithDefault("2400000.00")
    BigDecimal incomeLimit();

    /** Share of the yearly limit past which {@code executor.income_limit_near} is sent, once a year. */
    @WithDefault("0.9")
    BigDecimal incomeWarningShare();

    /**
     * Tax statuses the bridge pays. An INDIVIDUAL (no self-employed or sole-proprietor status) would make the company
     * their tax agent (НДФЛ, contributions), which a payout through MadeTask does not do: such payouts are refused.
     */
    @WithDefault("SELF_EMPLOYED,SOLE_PROPRIETOR")
    Set<String> taxStatuses();
}
