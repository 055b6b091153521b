package io.madetask.bridge.common;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;

import org.junit.jupiter.api.Test;

class PersonalDataRulesTest {

    @Test
    void innCheckDigitsAreVerified() {
        assertThat(PersonalDataRules.isIndividualInn("500100732259")).isTrue();
        assertThat(PersonalDataRules.isIndividualInn("500100732258")).isFalse();
        assertThat(PersonalDataRules.isIndividualInn("7707083893")).as("a company's 10-digit ИНН").isFalse();
        assertThat(PersonalDataRules.isIndividualInn("50010073225a")).isFalse();
    }

    @Test
    void cardsMustPassLuhn() {
        assertThat(PersonalDataRules.isCardNumber("4111111111111111")).isTrue();
        assertThat(PersonalDataRules.isCardNumber("4111111111111112")).isFalse();
        assertThat(PersonalDataRules.isCardNumber("411111111111111")).isFalse();
    }

    @Test
    void phonesAreRussianE164() {
        assertThat(PersonalDataRules.isPhone("+79161234567")).isTrue();
        assertThat(PersonalDataRules.isPhone("89161234567")).isFalse();
        assertThat(PersonalDataRules.isPhone("+7916123456")).isFalse();
        assertThat(PersonalDataRules.isPhone("+19161234567")).isFalse();
    }

    @Test
    void accountsAndBiksHaveTheirLengths() {
        assertThat(PersonalDataRules.isAccountNumber("40817810099910004312")).isTrue();
        assertThat(PersonalDataRules.isAccountNumber("4081781009991000431")).isFalse();
        assertThat(PersonalDataRules.isBik("044525225")).isTrue();
        assertThat(PersonalDataRules.isBik("04452522")).isFalse();
        assertThat(PersonalDataRules.last4("4111111111111111")).isEqualTo("1111");
    }

    @Test
    void signaturesVerifyAndGoStale() {
        byte[] body = "{\"id\":\"evt_1\"}".getBytes(StandardCharsets.UTF_8);
        Instant now = Instant.now();
        String header = Signatures.sign("s", now.getEpochSecond(), body);

        assertThat(Signatures.verify("s", header, body, now, Duration.ofMinutes(5))).isEqualTo(Signatures.Verdict.VALID);
        assertThat(Signatures.verify("s", header, "{}".getBytes(StandardCharsets.UTF_8), now, Duration.ofMinutes(5)))
                .isEqualTo(Signatures.Verdict.MISMATCH);
        assertThat(Signatures.verify("s", header, body, now.plusSeconds(301), Duration.ofMinutes(5)))
                .isEqualTo(Signatures.Verdict.STALE);
        assertThat(Signatures.verify("s", "v1=abc", body, now, Duration.ofMinutes(5)))
                .isEqualTo(Signatures.Verdict.MALFORMED);
    }

    @Test
    void moneyKeepsTwoFractionDigits() {
        assertThat(Money.rub("1500").amount()).isEqualTo("1500.00");
        assertThat(Money.isWellFormed("1500.5")).isFalse();
        assertThat(Money.isWellFormed("1500.50")).isTrue();
        assertThat(Money.isWellFormed("-1.00")).isFalse();
    }
}
