package io.madetask.bridge.madetask;

import java.time.Duration;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/**
 * Where MadeTask is and how the bridge talks to it. The sandbox and a real MadeTask account differ only in these
 * values; the client id, secret and webhook secret come from the environment in production.
 */
@ConfigMapping(prefix = "madetask")
public interface MadeTaskConfig {

    /** Base URL of MadeTask API v1, without {@code /api/v1}. */
    String baseUrl();

    /** OAuth2 token endpoint (client credentials). */
    String tokenUrl();

    /** OAuth2 client id of this company's MadeTask account. */
    String clientId();

    /** OAuth2 client secret. A secret. */
    String clientSecret();

    /** HMAC secret MadeTask signs its events with. A secret. */
    String webhookSecret();

    /** Deadline of one call to MadeTask, waiting for the answer included. */
    @WithDefault("10S")
    Duration callTimeout();

    /**
     * Retries of a call that failed in a way that may pass (5xx, timeout, lost connection, 429). With 5 and the default
     * backoff a call gives up after 3 to 6 s of failures: a MadeTask that fails every call opens the breaker within
     * that, while one that fails a third of its calls fails a whole call less than once in 400.
     */
    @WithDefault("5")
    int maxRetries();

    /** Delay before the first retry; doubles each time. */
    @WithDefault("200MS")
    Duration backoffInitial();

    /** Longest delay between two retries. */
    @WithDefault("10S")
    Duration backoffMax();

    /** Share of each backoff delay drawn at random (0 to 1), so that many callers do not retry in step. */
    @WithDefault("0.5")
    double backoffJitter();

    /** Longest {@code Retry-After} the bridge waits out inside one call; a longer one fails the call as unavailable. */
    @WithDefault("60S")
    Duration retryAfterMax();

    /** An access token is renewed this long before it expires. */
    @WithDefault("60S")
    Duration tokenRefreshSkew();

    /**
     * Calls per second the bridge allows itself, a little under the account's rate limit so that it is paced rather
     * than refused; 0 turns pacing off.
     */
    @WithDefault("95")
    double paceRate();

    /** Calls that may go at once after a quiet spell. */
    @WithDefault("50")
    int paceBurst();

    /** The circuit breaker that stops calls while MadeTask keeps failing. */
    Breaker breaker();

    interface Breaker {

        /**
         * Calls in the rolling window the failure ratio is computed over. The breaker judges whole calls (after their
         * retries), so transient faults that retries get past never count.
         */
        @WithDefault("20")
        int requestVolume();

        /** Share of failed calls in the window that opens the breaker. */
        @WithDefault("0.5")
        double failureRatio();

        /** How long the breaker stays open before it lets a trial call through. */
        @WithDefault("10S")
        Duration delay();

        /** Successful trial calls that close it again. */
        @WithDefault("2")
        int successThreshold();
    }
}
