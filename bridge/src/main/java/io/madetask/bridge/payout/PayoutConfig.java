package io.madetask.bridge.payout;

import java.time.Duration;

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
}
