package io.madetask.bridge.security;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.jwt.JsonWebToken;

import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.identity.AuthenticationRequestContext;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.identity.SecurityIdentityAugmentor;
import io.smallrye.mutiny.Uni;

/**
 * A token issued in the future (beyond {@code bridge.security.clock-skew}) is refused: quarkus-oidc checks the
 * signature, issuer, audience, expiry and {@code nbf}, but takes any {@code iat}.
 */
@ApplicationScoped
public class TokenTimes implements SecurityIdentityAugmentor {

    private final SecurityConfig config;

    TokenTimes(SecurityConfig config) {
        this.config = config;
    }

    @Override
    public Uni<SecurityIdentity> augment(SecurityIdentity identity, AuthenticationRequestContext context) {
        if (identity.getPrincipal() instanceof JsonWebToken jwt && jwt.getIssuedAtTime() > 0
                && jwt.getIssuedAtTime() > System.currentTimeMillis() / 1000 + config.clockSkew().toSeconds()) {
            return Uni.createFrom().failure(new AuthenticationFailedException("Token issued in the future"));
        }
        return Uni.createFrom().item(identity);
    }
}
