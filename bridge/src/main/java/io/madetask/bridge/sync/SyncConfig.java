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

    /**
     * Operations carried out at the same time by this instance (MadeTask calls in flight). 32 calls of 300 ms keep
     * MadeTask's 100 requests a second busy; with the payout engine's 32, within the REST client's 64 connections.
     */
    @WithDefault("32")
    int concurrency();

    /** Executor creations claimed in one go; they travel in bulk calls of up to 500. */
    @WithDefault("500")
    int claimBatch();

    /** How often the worker looks for due work when nothing woke it. */
    @WithDefault("1S")
    Duration pollInterval();

    /**
     * How long a claim holds without renewal: the worker renews the leases of its running work every third of this, so
     * work of an instance that died (a crash) is taken up again by any instance within about this long.
     */
    @WithDefault("30S")
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

    /** MadeTask events applied at the same time by this instance (each in its own short transaction). */
    @WithDefault("8")
    int eventConcurrency();

    /** Tries of an event whose applying failed (the database, not MadeTask, refused) before it is left FAILED. */
    @WithDefault("10")
    int eventMaxAttempts();

    /**
     * Pages of MadeTask's event log (of up to 500 events) one catch-up reads at most; the next catch-up goes on from
     * where it stopped. Only one page is in memory at a time.
     */
    @WithDefault("200")
    int catchUpMaxPages();

    /**
     * Names this instance in its leases; by default the host name (the pod's name on Kubernetes), so that a restarted
     * instance takes its own claims back at once. Two live processes never share one (see WorkerIdentity).
     */
    java.util.Optional<String> instanceId();
}
