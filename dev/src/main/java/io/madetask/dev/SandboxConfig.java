package io.madetask.dev;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** How the application starts its own MadeTask sandbox (dev mode and the demo). */
@ConfigMapping(prefix = "madetask.sandbox")
public interface SandboxConfig {

    /** Start the sandbox inside the application. On in dev; in prod only when explicitly set. */
    @WithDefault("false")
    boolean enabled();

    /** Address the sandbox binds. */
    @WithDefault("127.0.0.1")
    String host();

    /** Port of the sandbox (MadeTask API, control API and dev OIDC issuer). */
    @WithDefault("8089")
    int port();

    /** OAuth2 client id the sandbox accepts. */
    @WithDefault("bridge")
    String clientId();

    /** OAuth2 client secret the sandbox accepts. */
    @WithDefault("bridge-secret")
    String clientSecret();

    /** Lifetime of the sandbox's access tokens. */
    @WithDefault("15M")
    Duration tokenTtl();

    /** The sandbox account's available balance at start, RUB. */
    @WithDefault("100000000.00")
    BigDecimal initialBalance();

    /** Where the sandbox POSTs its events; the bridge's own webhook in dev. */
    Optional<String> webhookUrl();

    /** HMAC secret the sandbox signs events with. */
    @WithDefault("sandbox-webhook-secret")
    String webhookSecret();

    /** Base delay before a payout settles. */
    @WithDefault("1000")
    long settlementDelayMs();

    /** Requests per second of the sandbox's rate limit. */
    @WithDefault("100")
    double rateLimitPerSecond();

    /** Burst of the sandbox's rate limit. */
    @WithDefault("100")
    int rateLimitBurst();
}
