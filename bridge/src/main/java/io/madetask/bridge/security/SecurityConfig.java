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

    /** Claim that holds an executor's crmId. */
    @WithDefault("executor_id")
    String executorClaim();
}
