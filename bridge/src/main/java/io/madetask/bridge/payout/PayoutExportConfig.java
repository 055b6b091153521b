package io.madetask.bridge.payout;

import java.time.Duration;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** The payout registry (реестр выплат): {@code GET /api/v1/payouts/export}. */
@ConfigMapping(prefix = "bridge.payout-export")
public interface PayoutExportConfig {

    /**
     * Exports streaming at once in this instance; one more is answered 429 {@code export_busy} with Retry-After. Each
     * holds a worker thread while it streams, and a database connection only while it reads a page.
     */
    @WithDefault("2")
    int concurrency();

    /** Payouts read per page: one query for the payouts, one for their executors' full names and ИНН. */
    @WithDefault("1000")
    int pageSize();

    /** The Retry-After of a 429 answer (whole seconds). */
    @WithDefault("30S")
    Duration retryAfter();
}
