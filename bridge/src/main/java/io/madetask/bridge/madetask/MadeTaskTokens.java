package io.madetask.bridge.madetask;

import java.time.Instant;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.oidc.client.OidcClient;
import io.quarkus.oidc.client.Tokens;
import io.smallrye.mutiny.Uni;

/**
 * The bridge's MadeTask access token (OAuth2 client credentials through quarkus-oidc-client). One fetch at a time,
 * shared by every caller; renewed {@code madetask.token-refresh-skew} before it expires, and at once when MadeTask
 * refuses it.
 */
@ApplicationScoped
class MadeTaskTokens {

    private final OidcClient oidc;
    private final MadeTaskConfig config;
    private volatile Tokens tokens;
    private Uni<Tokens> inflight;
    private long fetched;

    MadeTaskTokens(OidcClient oidc, MadeTaskConfig config) {
        this.oidc = oidc;
        this.config = config;
    }

    Uni<String> accessToken() {
        Tokens current = tokens;
        if (current != null && !nearExpiry(current)) {
            return Uni.createFrom().item(current.getAccessToken());
        }
        return fetch().map(Tokens::getAccessToken);
    }

    /** MadeTask refused this token: the next caller fetches a new one (unless someone already did). */
    synchronized void invalidate(String refused) {
        Tokens current = tokens;
        if (current != null && current.getAccessToken().equals(refused)) {
            tokens = null;
        }
    }

    /** How many tokens were fetched since start. */
    synchronized long fetched() {
        return fetched;
    }

    private synchronized Uni<Tokens> fetch() {
        if (inflight == null) {
            inflight = Uni.createFrom().deferred(oidc::getTokens)
                    .invoke(this::store)
                    .eventually(this::clearInflight)
                    .memoize().indefinitely();
        }
        return inflight;
    }

    private synchronized void store(Tokens fresh) {
        tokens = fresh;
        fetched++;
    }

    private synchronized void clearInflight() {
        inflight = null;
    }

    private boolean nearExpiry(Tokens t) {
        Long expiresAt = t.getAccessTokenExpiresAt();
        return expiresAt != null
                && Instant.now().plus(config.tokenRefreshSkew()).getEpochSecond() >= expiresAt;
    }
}
