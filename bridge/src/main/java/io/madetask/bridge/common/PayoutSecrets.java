package io.madetask.bridge.common;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

import javax.crypto.Cipher;
import javax.crypto.KeyGenerator;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import io.quarkus.runtime.LaunchMode;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/**
 * AES-256-GCM for card and account numbers while MadeTask does not hold them yet. Each ciphertext names the key it was
 * sealed with, so keys rotate: add a new key, make it active, and old numbers still open with the old one.
 */
@ApplicationScoped
public class PayoutSecrets {

    private static final Logger LOG = Logger.getLogger(PayoutSecrets.class);
    private static final int IV_BYTES = 12;
    private static final int TAG_BITS = 128;

    /** Keys for the numbers held at rest. */
    @ConfigMapping(prefix = "bridge.crypto")
    public interface Config {

        /** The key id new numbers are sealed with. */
        Optional<String> activeKeyId();

        /** Base64 of the active 256-bit AES key, under {@link #activeKeyId()} (default id {@code k1}). A secret. */
        Optional<String> activeKey();

        /** Older keys by id, base64, kept so numbers sealed before a rotation still open. Secrets. */
        @WithDefault("")
        Map<String, String> keys();
    }

    /** A sealed number: the key id and IV + ciphertext + tag. */
    public record Sealed(String keyId, byte[] bytes) {
    }

    private final SecureRandom random = new SecureRandom();
    private final Map<String, SecretKey> keys = new HashMap<>();
    private final String activeKeyId;

    PayoutSecrets(Config config) {
        config.keys().forEach((id, value) -> {
            if (!value.isBlank()) {
                keys.put(id, aesKey(id, value));
            }
        });
        config.activeKey().filter(k -> !k.isBlank()).ifPresent(k -> keys.put(config.activeKeyId().orElse("k1"),
                aesKey(config.activeKeyId().orElse("k1"), k)));
        if (keys.isEmpty()) {
            if (LaunchMode.current() == LaunchMode.NORMAL) {
                throw new IllegalStateException("No payout number key configured: card and account numbers cannot be "
                        + "stored. Set BRIDGE_CRYPTO_ACTIVE_KEY (base64 of 32 random bytes) and BRIDGE_CRYPTO_ACTIVE_KEY_ID.");
            }
            keys.put("ephemeral", newKey());
            LOG.warn("No bridge.crypto.keys configured: using a key that lives only as long as this process (dev/test)");
            activeKeyId = "ephemeral";
        } else {
            activeKeyId = config.activeKeyId().orElse(config.activeKey().isPresent() ? "k1"
                    : keys.keySet().iterator().next());
            if (!keys.containsKey(activeKeyId)) {
                throw new IllegalStateException("bridge.crypto.active-key-id names no configured key");
            }
        }
    }

    public Sealed seal(String plain) {
        try {
            byte[] iv = new byte[IV_BYTES];
            random.nextBytes(iv);
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.ENCRYPT_MODE, keys.get(activeKeyId), new GCMParameterSpec(TAG_BITS, iv));
            cipher.updateAAD(activeKeyId.getBytes(StandardCharsets.UTF_8));
            byte[] sealed = cipher.doFinal(plain.getBytes(StandardCharsets.UTF_8));
            return new Sealed(activeKeyId, ByteBuffer.allocate(IV_BYTES + sealed.length).put(iv).put(sealed).array());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("Cannot seal a payout number", e);
        }
    }

    /** A keyed fingerprint of a number: equal for equal numbers under one key, useless without the key. */
    public String fingerprint(String plain) {
        try {
            javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(keys.get(activeKeyId).getEncoded(), "HmacSHA256"));
            mac.update("payout-number:".getBytes(StandardCharsets.UTF_8));
            return activeKeyId + ":" + Base64.getEncoder().encodeToString(mac.doFinal(plain.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    public String open(String keyId, byte[] bytes) {
        SecretKey key = keys.get(keyId);
        if (key == null) {
            throw new IllegalStateException("The key " + keyId + " that sealed a payout number is not configured");
        }
        try {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, bytes, 0, IV_BYTES));
            cipher.updateAAD(keyId.getBytes(StandardCharsets.UTF_8));
            return new String(cipher.doFinal(bytes, IV_BYTES, bytes.length - IV_BYTES), StandardCharsets.UTF_8);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("Cannot open a payout number sealed with " + keyId, e);
        }
    }

    /** A configured key: base64 of exactly 32 bytes, checked at start-up rather than at the first number sealed. */
    private static SecretKey aesKey(String id, String base64) {
        byte[] bytes;
        try {
            bytes = Base64.getDecoder().decode(base64.trim());
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException("Payout number key " + id + " is not base64");
        }
        if (bytes.length != 32) {
            throw new IllegalStateException("Payout number key " + id + " must be 32 bytes (AES-256), not " + bytes.length);
        }
        return new SecretKeySpec(bytes, "AES");
    }

    private static SecretKey newKey() {
        try {
            KeyGenerator generator = KeyGenerator.getInstance("AES");
            generator.init(256);
            return generator.generateKey();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
