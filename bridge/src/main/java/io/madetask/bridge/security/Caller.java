package io.madetask.bridge.security;

import java.util.Optional;
import java.util.Set;

import jakarta.enterprise.context.RequestScoped;

import jakarta.json.JsonString;

import org.eclipse.microprofile.jwt.JsonWebToken;

import io.madetask.bridge.common.RequestIds;

import io.quarkus.security.identity.SecurityIdentity;

/** Who is calling: subject, roles, and, for an executor, the crmId its token carries. */
@RequestScoped
public class Caller {

    public static final String ADMIN = "admin";
    public static final String MANAGER = "manager";
    public static final String EXECUTOR = "executor";

    private final SecurityIdentity identity;
    private final SecurityConfig config;

    Caller(SecurityIdentity identity, SecurityConfig config) {
        this.identity = identity;
        this.config = config;
    }

    public String subject() {
        return identity.isAnonymous() ? null : identity.getPrincipal().getName();
    }

    public Set<String> roles() {
        return identity.getRoles();
    }

    public boolean isStaff() {
        return identity.hasRole(ADMIN) || identity.hasRole(MANAGER);
    }

    /**
     * The executor's crmId from the configured claim, read as the string it is; empty for staff, for tokens without
     * it, and for a claim that is not a well-formed crmId (a number, a list, an object, blank, quotes, control
     * characters): such a caller is no executor, so everything of an executor's own is 403 to it.
     */
    public Optional<String> executorCrmId() {
        if (!(identity.getPrincipal() instanceof JsonWebToken jwt)) {
            return Optional.empty();
        }
        Object claim = jwt.getClaim(config.executorClaim());
        String value = claim instanceof String s ? s : claim instanceof JsonString js ? js.getString() : null;
        return value != null && RequestIds.isCrmId(value) ? Optional.of(value) : Optional.empty();
    }
}
