package io.madetask.bridge.common;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Objects;
import java.util.regex.Pattern;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * An amount of money as both MadeTask and the CRM write it: a decimal string with exactly two fraction digits and
 * a currency. Never a float.
 */
@RegisterForReflection
public record Money(@JsonProperty("amount") String amount, @JsonProperty("currency") String currency) {

    /** The only currency MadeTask pays in. */
    public static final String RUB = "RUB";

    private static final Pattern AMOUNT = Pattern.compile("\\d{1,13}\\.\\d{2}");

    @JsonCreator
    public Money {
        Objects.requireNonNull(amount, "amount");
        Objects.requireNonNull(currency, "currency");
    }

    public static Money rub(BigDecimal value) {
        return new Money(value.setScale(2, RoundingMode.UNNECESSARY).toPlainString(), RUB);
    }

    public static Money rub(String value) {
        return rub(new BigDecimal(value));
    }

    /** True when the amount is a plain decimal string with exactly two fraction digits. */
    public static boolean isWellFormed(String amount) {
        return amount != null && AMOUNT.matcher(amount).matches();
    }

    public BigDecimal value() {
        return new BigDecimal(amount).setScale(2, RoundingMode.UNNECESSARY);
    }
}
