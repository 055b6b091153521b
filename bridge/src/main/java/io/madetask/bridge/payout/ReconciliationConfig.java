package io.madetask.bridge.payout;

import java.time.Duration;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** The reconciliation of the bridge's payouts against MadeTask's: on demand and daily. */
@ConfigMapping(prefix = "bridge.reconciliation")
public interface ReconciliationConfig {

    /** Run the daily reconciliation from this instance (each day is run once, by whichever instance claims it). */
    @WithDefault("true")
    boolean enabled();

    /** How long after midnight UTC the daily run of the day before may start (MadeTask settles within minutes). */
    @WithDefault("2H")
    Duration dailyAfter();

    /** Which day the daily run checks: this many days before today (UTC); 1 is the previous UTC day. */
    @WithDefault("1")
    int daysBack();

    /** How often each instance looks whether the day's run is due, or is to be taken over from a failed run. */
    @WithDefault("10M")
    Duration checkInterval();

    /** A daily run's claim, renewed at every page it reads; a run whose instance died is taken over after it. */
    @WithDefault("5M")
    Duration lease();

    /** Longest period one reconciliation may cover; a longer one is 400. */
    @WithDefault("31D")
    Duration maxPeriod();

    /** Differences listed in a result; more are counted ({@code differenceCount}, {@code truncated}), not listed. */
    @WithDefault("1000")
    int maxDifferences();

    /** MadeTask payouts one run asks about by id (payouts missing from the period's list, and differences confirmed). */
    @WithDefault("1000")
    int maxLookups();

    /** Pages of MadeTask's payout list (500 each) one run reads at most; a run that would need more fails. */
    @WithDefault("2000")
    int maxPages();

    /** On-demand runs at once in this instance; one more is refused with 429 {@code reconciliation_busy}. */
    @WithDefault("2")
    int maxConcurrent();

    /** Runs and their differences are deleted this long after they started. */
    @WithDefault("90D")
    Duration retention();
}
