package io.madetask.bridge.common;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;

/** Card and account numbers at rest: sealed, bound to their key id, and still readable after a key rotation. */
class PayoutSecretsTest {

    private static final String K1 = Base64.getEncoder().encodeToString("0123456789abcdef0123456789abcdef".getBytes());
    private static final String K2 = Base64.getEncoder().encodeToString("fedcba9876543210fedcba9876543210".getBytes());

    @Test
    void sealedNumberHidesTheDigitsAndOpensWithItsKey() {
        PayoutSecrets secrets = new PayoutSecrets(config("k1", K1, Map.of()));
        PayoutSecrets.Sealed sealed = secrets.seal("4111111111111111");

        assertThat(sealed.keyId()).isEqualTo("k1");
        assertThat(new String(sealed.bytes(), StandardCharsets.ISO_8859_1)).doesNotContain("4111111111111111");
        assertThat(secrets.open("k1", sealed.bytes())).isEqualTo("4111111111111111");
        assertThat(secrets.seal("4111111111111111").bytes()).as("a fresh IV each time").isNotEqualTo(sealed.bytes());
    }

    @Test
    void afterRotationOldNumbersStillOpenAndNewOnesUseTheNewKey() {
        PayoutSecrets.Sealed old = new PayoutSecrets(config("k1", K1, Map.of())).seal("40817810099910004312");
        PayoutSecrets rotated = new PayoutSecrets(config("k2", K2, Map.of("k1", K1)));

        assertThat(rotated.open(old.keyId(), old.bytes())).isEqualTo("40817810099910004312");
        assertThat(rotated.seal("40817810099910004312").keyId()).isEqualTo("k2");
    }

    @Test
    void tamperedOrMislabelledCiphertextDoesNotOpen() {
        PayoutSecrets secrets = new PayoutSecrets(config("k2", K2, Map.of("k1", K1)));
        PayoutSecrets.Sealed sealed = secrets.seal("4111111111111111");
        byte[] tampered = sealed.bytes().clone();
        tampered[tampered.length - 1] ^= 1;

        assertThatThrownBy(() -> secrets.open("k2", tampered)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> secrets.open("k1", sealed.bytes())).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> secrets.open("k9", sealed.bytes())).hasMessageContaining("k9");
    }

    @Test
    void fingerprintTellsEqualNumbersWithoutRevealingThem() {
        PayoutSecrets secrets = new PayoutSecrets(config("k1", K1, Map.of()));
        assertThat(secrets.fingerprint("4111111111111111")).isEqualTo(secrets.fingerprint("4111111111111111"))
                .isNotEqualTo(secrets.fingerprint("5555555555554444")).doesNotContain("1111");
    }

    private static PayoutSecrets.Config config(String activeId, String activeKey, Map<String, String> older) {
        return new PayoutSecrets.Config() {
            @Override
            public Optional<String> activeKeyId() {
                return Optional.of(activeId);
            }

            @Override
            public Optional<String> activeKey() {
                return Optional.of(activeKey);
            }

            @Override
            public Map<String, String> keys() {
                return older;
            }
        };
    }
}
