package io.madetask.bridge.sync;

import java.time.Duration;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** How the bridge carries out its outbox and catches up with MadeTask's events. */
@ConfigMapping(prefix = "bridge.sync")
public interface SyncConfig {

    /** Run the outbox worker and the event catch-up in this instance. */
    @WithDefault("true")
    boolean enabled();

    /** Operations carried out at the same time by this instance (MadeTask calls in flight). */
    @WithDefault("16")
    int concurrency();

    /** Executor creations claimed in one go; they travel in bulk calls of up to 500. */
    @WithDefault("500")
    int claimBatch();

    /** How often the worker looks for due work when nothing woke it. */
    @WithDefault("1S")
    Duration pollInterval();

    /** How long a claim holds: work not finished by then (a crash) is taken up again by any instance. */
    @WithDefault("5M")
    Duration lease();

    /** First delay before an operation that failed in a way that may pass is tried again; doubles each time. */
    @WithDefault("1S")
    Duration retryInitial();

    /** Longest delay between two tries of one operation. */
    @WithDefault("5M")
    Duration retryMax();

    /** Executor creations claimed together are sent through MadeTask's bulk call when there are at least this many. */
    @WithDefault("5")
    int bulkThreshold();

    /** How often the bridge reads MadeTask's event log from its cursor, besides at start-up. */
    @WithDefault("30S")
    Duration catchUpInterval();

    /** Identifies this instance in leases; a random id when not set. */
    java.util.Optional<String> instanceId();
}
