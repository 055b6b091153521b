package io.madetask.sandbox;

import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.security.interfaces.RSAPublicKey;
import java.util.List;
import java.util.UUID;

import org.jose4j.jwk.JsonWebKey;
import org.jose4j.jwk.RsaJsonWebKey;
import org.jose4j.jws.AlgorithmIdentifiers;
import org.jose4j.jws.JsonWebSignature;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.lang.JoseException;

/**
 * A small OpenID Connect issuer for dev and test: discovery, JWKS, and signed bearer tokens for any role, so nobody
 * needs an identity provider to try the bridge. Its keys are made anew at every start.
 */
final class SandboxIdentity {

    private final KeyPair keys;
    private final String keyId = UUID.randomUUID().toString();
    private volatile String issuer;

    SandboxIdentity() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(2048);
            this.keys = generator.generateKeyPair();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("RSA is not available", e);
        }
    }

    void issuer(String value) {
        this.issuer = value;
    }

    String issuer() {
        return issuer;
    }

    String discovery() {
        return "{\"issuer\":\"" + issuer + "\",\"jwks_uri\":\"" + issuer + "/jwks\",\"token_endpoint\":\"" + issuer
                + "/token\",\"id_token_signing_alg_values_supported\":[\"RS256\"],"
                + "\"response_types_supported\":[\"token\"],\"subject_types_supported\":[\"public\"]}";
    }

    String jwks() {
        RsaJsonWebKey jwk = new RsaJsonWebKey((RSAPublicKey) keys.getPublic());
        jwk.setKeyId(keyId);
        jwk.setAlgorithm(AlgorithmIdentifiers.RSA_USING_SHA256);
        jwk.setUse("sig");
        return "{\"keys\":[" + jwk.toJson(JsonWebKey.OutputControlLevel.PUBLIC_ONLY) + "]}";
    }

    /** A signed access token with the roles in {@code groups} and, for executors, their CRM id in {@code executor_id}. */
    String token(String subject, List<String> roles, String executorId, long ttlSeconds) {
        JwtClaims claims = new JwtClaims();
        claims.setIssuer(issuer);
        claims.setSubject(subject);
        claims.setClaim("preferred_username", subject);
        claims.setStringListClaim("groups", roles);
        if (executorId != null) {
            claims.setClaim("executor_id", executorId);
        }
        claims.setIssuedAtToNow();
        claims.setExpirationTimeMinutesInTheFuture(ttlSeconds / 60f);
        claims.setGeneratedJwtId();
        JsonWebSignature jws = new JsonWebSignature();
        jws.setPayload(claims.toJson());
        jws.setKey(keys.getPrivate());
        jws.setKeyIdHeaderValue(keyId);
        jws.setAlgorithmHeaderValue(AlgorithmIdentifiers.RSA_USING_SHA256);
        jws.setHeader("typ", "JWT");
        try {
            return jws.getCompactSerialization();
        } catch (JoseException e) {
            throw new IllegalStateException("Cannot sign a token", e);
        }
    }
}
