package io.madetask.bridge.common;


import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerResponseContext;
import jakarta.ws.rs.core.Response;

import org.jboss.resteasy.reactive.server.ServerRequestFilter;
import org.jboss.resteasy.reactive.server.ServerResponseFilter;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.quarkus.security.identity.CurrentIdentityAssociation;
import io.smallrye.mutiny.Uni;

/**
 * {@code Idempotency-Key} on the bridge's own POSTs: the first answer to a caller's key is kept, and the same caller
 * sending the key again gets it back ({@code Idempotent-Replayed: true}) without acting twice. The key is tied to the
 * method and path: reused elsewhere, it gets 422; sent again while the first is still running, 409. Server errors are
 * not kept, so a retry after one acts.
 */
public class IdempotencyFilter {

    static final String HEADER = "Idempotency-Key";
    private static final String CLAIMED = "bridge.idempotency";

    private final IdempotencyStore store;
    private final CurrentIdentityAssociation identity;
    private final ObjectMapper json;

    IdempotencyFilter(IdempotencyStore store, CurrentIdentityAssociation identity, ObjectMapper json) {
        this.store = store;
        this.identity = identity;
        this.json = json;
    }

    private record Claim(String principal, String key) {
    }

    @ServerRequestFilter(readBody = true)
    public Uni<Response> before(ContainerRequestContext request) {
        String key = request.getHeaderString(HEADER);
        if (key == null || !"POST".equals(request.getMethod())
                || !request.getUriInfo().getPath().startsWith("/api/v1/")) {
            return Uni.createFrom().nullItem();
        }
        if (key.isEmpty() || key.length() > 255 || TextInput.hasControl(key)) {
            return Uni.createFrom().item(ProblemMapper.answer(400, "validation_failed", "Invalid request",
                    "Idempotency-Key must be 1 to 255 characters, none of them control characters", request,
                    java.util.List.of(new Problem.FieldError(HEADER, "1 to 255 characters"))));
        }
        // The request as a whole: method, path and body. The same key with another body is another request (422).
        String fingerprint = request.getMethod() + " " + request.getUriInfo().getPath() + " " + bodyHash(request);
        return identity.getDeferredIdentity().flatMap(who -> {
            if (who.isAnonymous()) {
                return Uni.createFrom().nullItem();
            }
            String principal = who.getPrincipal().getName();
            return store.claim(principal, key, fingerprint)
                    .flatMap(inserted -> {
                        if (inserted) {
                            request.setProperty(CLAIMED, new Claim(principal, key));
                            return Uni.createFrom().nullItem();
                        }
                        return store.find(principal, key)
                                .map(row -> {
                                    if (!fingerprint.equals(row.getString("fingerprint"))) {
                                        return ProblemMapper.answer(422, "idempotency_key_reused", "Key reused",
                                                "This Idempotency-Key was used for another request", request, null);
                                    }
                                    Integer status = row.getInteger("status");
                                    if (status == null) {
                                        return ProblemMapper.answer(409, "idempotency_key_in_use", "Key in use",
                                                "A request with this Idempotency-Key is still running", request, null);
                                    }
                                    return Response.status(status).header("Idempotent-Replayed", "true")
                                            .type(status >= 400 ? Problem.MEDIA_TYPE : "application/json")
                                            .entity(row.getString("body")).build();
                                });
                    });
        });
    }

    @ServerResponseFilter
    public Uni<Void> after(ContainerRequestContext request, ContainerResponseContext response) {
        if (!(request.getProperty(CLAIMED) instanceof Claim claim)) {
            return Uni.createFrom().voidItem();
        }
        request.removeProperty(CLAIMED);
        // Only an answer of a request that was carried out is kept for replay. A refusal (a malformed body, a wrong
        // role, a conflict) and a failure leave the key free, so the client can correct the request and send it
        // again under the same key.
        if (response.getStatus() >= 300) {
            return store.release(claim.principal(), claim.key());
        }
        String body;
        try {
            Object entity = response.getEntity();
            body = entity == null ? null : entity instanceof String s ? s : json.writeValueAsString(entity);
        } catch (Exception e) {
            body = null;
        }
        return store.answered(claim.principal(), claim.key(), response.getStatus(), body);
    }

    /**
     * SHA-256 of the body, which stays readable for the resource. An endpoint that takes no body has none read ahead
     * (it would be a blocking read on the event loop): what such a request sends changes nothing, so it counts as empty.
     */
    private static String bodyHash(ContainerRequestContext request) {
        byte[] body;
        try {
            body = request.hasEntity() ? request.getEntityStream().readAllBytes() : new byte[0];
            request.setEntityStream(new java.io.ByteArrayInputStream(body));
        } catch (org.jboss.resteasy.reactive.common.core.BlockingNotAllowedException e) {
            body = new byte[0];
        } catch (java.io.IOException e) {
            throw new IllegalStateException("Cannot read the request body", e);
        }
        try {
            return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(body));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is not available", e);
        }
    }
}
