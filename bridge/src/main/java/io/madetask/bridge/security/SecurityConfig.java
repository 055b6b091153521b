package io.madetask.bridge.security;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/**
 * What the bridge reads from a caller's token. The claim holding the roles is quarkus-oidc's
 * {@code quarkus.oidc.roles.role-claim-path}, set from {@code bridge.security.roles-claim}.
 */
@ConfigMapping(prefix = "bridge.security")
public interface SecurityConfig {

    /** Claim that holds the roles (admin, manager, executor). */
    @WithDefault("groups")
    String rolesClaim();

    /**
     * The audience the bridge's tokens must name ({@code aud}): a token the identity provider issued for another
     * service is refused. Required in production ({@code BRIDGE_SECURITY_AUDIENCE}).
     */
    String audience();

    /** How far in the future a token's {@code iat} may lie (the two clocks' skew). */
    @WithDefault("60S")
    java.time.Duration clockSkew();

    /** Claim that holds an executor's crmId. */
    @WithDefault("executor_id")
    String executorClaim();
}
