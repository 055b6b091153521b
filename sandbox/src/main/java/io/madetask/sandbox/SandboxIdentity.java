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

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A small OpenID Connect issuer for dev and test: discovery, JWKS, and signed bearer tokens for any role, so nobody
 * needs an identity provider to try the bridge. Its keys are made anew at every start.
 */
final class SandboxIdentity {

    private final ObjectMapper json;
    private final KeyPair keys;
    private final String keyId = UUID.randomUUID().toString();
    private volatile String issuer;

    SandboxIdentity(ObjectMapper json) {
        this.json = json;
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

    /** The OpenID Connect discovery document. */
    ObjectNode discovery() {
        ObjectNode n = json.createObjectNode();
        n.put("issuer", issuer);
        n.put("jwks_uri", issuer + "/jwks");
        n.put("token_endpoint", issuer + "/token");
        n.putArray("id_token_signing_alg_values_supported").add(AlgorithmIdentifiers.RSA_USING_SHA256);
        n.putArray("response_types_supported").add("token");
        n.putArray("subject_types_supported").add("public");
        return n;
    }

    /** The JWK set: the one public signing key, its members as jose4j names them. */
    ObjectNode jwks() {
        RsaJsonWebKey jwk = new RsaJsonWebKey((RSAPublicKey) keys.getPublic());
        jwk.setKeyId(keyId);
        jwk.setAlgorithm(AlgorithmIdentifiers.RSA_USING_SHA256);
        jwk.setUse("sig");
        ObjectNode n = json.createObjectNode();
        n.putArray("keys").add(json.<JsonNode>valueToTree(jwk.toParams(JsonWebKey.OutputControlLevel.PUBLIC_ONLY)));
        return n;
    }

    /** A signed access token with the roles in {@code groups} and, for executors, their CRM id in {@code executor_id}. */
    String token(String subject, List<String> roles, String executorId, long ttlSeconds) {
        return token(subject, roles, executorId == null ? java.util.Map.of() : java.util.Map.of("executor_id", executorId),
                ttlSeconds);
    }

    /** The same, with any further claims as given (strings, numbers, lists, maps), e.g. an odd {@code executor_id}. */
    String token(String subject, List<String> roles, java.util.Map<String, Object> extra, long ttlSeconds) {
        JwtClaims claims = new JwtClaims();
        claims.setIssuer(issuer);
        claims.setSubject(subject);
        claims.setClaim("preferred_username", subject);
        claims.setStringListClaim("groups", roles);
        claims.setAudience(MadeTaskSandbox.DEV_AUDIENCE);
        claims.setIssuedAtToNow();
        claims.setExpirationTimeMinutesInTheFuture(ttlSeconds / 60f);
        claims.setGeneratedJwtId();
        extra.forEach(claims::setClaim);
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
