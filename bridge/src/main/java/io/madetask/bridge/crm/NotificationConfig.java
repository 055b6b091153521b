package io.madetask.bridge.crm;

import java.net.URI;
import java.time.Duration;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Notifications to the CRM: the bridge's own events, POSTed to the CRM's callback URL. */
@ConfigMapping(prefix = "bridge.notifications")
public interface NotificationConfig {

    /** The CRM's callback URL. Without it notifications are recorded (and listed) but not sent. */
    Optional<URI> url();

    /** Secret of the {@code Bridge-Signature} HMAC (the MadeTask scheme). Required when a URL is set. A secret. */
    Optional<String> secret();

    /** Deliveries in flight in this instance. */
    @WithDefault("8")
    int concurrency();

    /** How long one delivery may take, connection included, before it counts as failed. */
    @WithDefault("10S")
    Duration timeout();

    /** How often the sender looks for due notifications when nothing woke it. */
    @WithDefault("1S")
    Duration pollInterval();

    /** First delay before a failed delivery is tried again; doubles each time. */
    @WithDefault("1S")
    Duration retryInitial();

    /** Longest delay between two tries. */
    @WithDefault("10M")
    Duration retryMax();

    /** Tries before a notification is given up as FAILED (listed, and sent again only by an admin's redeliver). */
    @WithDefault("15")
    int maxAttempts();

    /** A claim's lease: a notification claimed by an instance that died is sent again after it. */
    @WithDefault("30S")
    Duration lease();

    /** Delivered notifications are deleted after this long. */
    @WithDefault("30D")
    Duration retention();
}
