package io.madetask.sandbox;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.HexFormat;
import java.util.regex.Pattern;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The checks MadeTask's contract makes of what it is sent (personal data, money) and how it signs its events. The
 * sandbox keeps its own copy, written from the contract, as any other implementation of MadeTask would: it shares no
 * code with the bridge, so a mistake in the bridge's rules cannot hide behind the same mistake here.
 */
final class SandboxRules {


    private static final Pattern PHONE = Pattern.compile("\\+7\\d{10}");
    private static final Pattern INN = Pattern.compile("\\d{12}");
    private static final Pattern CARD = Pattern.compile("\\d{16}");
    private static final Pattern ACCOUNT = Pattern.compile("\\d{20}");
    private static final Pattern BIK = Pattern.compile("\\d{9}");
    private static final Pattern EMAIL = Pattern.compile("[^@\\s]{1,64}@[^@\\s]+\\.[^@\\s]+");

    static final Pattern AMOUNT = Pattern.compile("\\d{1,13}\\.\\d{2}");
    static final String RUB = "RUB";

    private static final int[] INN_WEIGHTS_11 = {7, 2, 4, 10, 3, 5, 9, 4, 6, 8};
    private static final int[] INN_WEIGHTS_12 = {3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8};

    private SandboxRules() {
    }

    /** E.164, Russian numbers only: {@code +7} and ten digits. */
    static boolean isPhone(String value) {
        return value != null && PHONE.matcher(value).matches();
    }

    static boolean isEmail(String value) {
        return value != null && value.length() <= 254 && EMAIL.matcher(value).matches();
    }

    /** An individual's ИНН: twelve digits whose two last digits are the check digits of the ten before them. */
    static boolean isIndividualInn(String value) {
        if (value == null || !INN.matcher(value).matches()) {
            return false;
        }
        int[] d = value.chars().map(c -> c - '0').toArray();
        return checkDigit(d, INN_WEIGHTS_11) == d[10] && checkDigit(d, INN_WEIGHTS_12) == d[11];
    }

    /** Sixteen digits that pass the Luhn check. */
    static boolean isCardNumber(String value) {
        if (value == null || !CARD.matcher(value).matches()) {
            return false;
        }
        int sum = 0;
        for (int i = 0; i < value.length(); i++) {
            int digit = value.charAt(value.length() - 1 - i) - '0';
            if (i % 2 == 1) {
                digit *= 2;
                if (digit > 9) {
                    digit -= 9;
                }
            }
            sum += digit;
        }
        return sum % 10 == 0;
    }

    static boolean isAccountNumber(String value) {
        return value != null && ACCOUNT.matcher(value).matches();
    }

    static boolean isBik(String value) {
        return value != null && BIK.matcher(value).matches();
    }

    /** The last four characters, for display; never more. */
    static String last4(String value) {
        return value == null || value.length() < 4 ? null : value.substring(value.length() - 4);
    }

    /** True when the amount is a plain decimal string with exactly two fraction digits. */
    static boolean isAmount(String amount) {
        return amount != null && AMOUNT.matcher(amount).matches();
    }

    /** The {@code X-MadeTask-Signature} header of a webhook body: {@code t=<unix seconds>,v1=<hex HMAC-SHA256>}. */
    static String signature(String secret, long unixSeconds, byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            mac.update((unixSeconds + ".").getBytes(StandardCharsets.UTF_8));
            return "t=" + unixSeconds + ",v1=" + HexFormat.of().formatHex(mac.doFinal(body));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HMAC-SHA256 is not available", e);
        }
    }

    private static int checkDigit(int[] digits, int[] weights) {
        int sum = 0;
        for (int i = 0; i < weights.length; i++) {
            sum += digits[i] * weights[i];
        }
        return sum % 11 % 10;
    }
}
