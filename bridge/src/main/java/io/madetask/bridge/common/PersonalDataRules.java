package io.madetask.bridge.common;

import java.util.regex.Pattern;

/**
 * The checks MadeTask applies to an executor's personal data. The bridge applies the same ones before it stores
 * anything, so the CRM hears about a bad ИНН at once and not from a failed sync later.
 */
public final class PersonalDataRules {

    private static final Pattern PHONE = Pattern.compile("\\+7\\d{10}");
    private static final Pattern INN = Pattern.compile("\\d{12}");
    private static final Pattern CARD = Pattern.compile("\\d{16}");
    private static final Pattern ACCOUNT = Pattern.compile("\\d{20}");
    private static final Pattern BIK = Pattern.compile("\\d{9}");
    private static final Pattern EMAIL = Pattern.compile("[^@\\s]{1,64}@[^@\\s]+\\.[^@\\s]+");

    private static final int[] INN_WEIGHTS_11 = {7, 2, 4, 10, 3, 5, 9, 4, 6, 8};
    private static final int[] INN_WEIGHTS_12 = {3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8};

    private PersonalDataRules() {
    }

    /** E.164, Russian numbers only: {@code +7} and ten digits. */
    public static boolean isPhone(String value) {
        return value != null && PHONE.matcher(value).matches();
    }

    public static boolean isEmail(String value) {
        return value != null && value.length() <= 254 && EMAIL.matcher(value).matches();
    }

    /** An individual's ИНН: twelve digits whose two last digits are the check digits of the ten before them. */
    public static boolean isIndividualInn(String value) {
        if (value == null || !INN.matcher(value).matches()) {
            return false;
        }
        int[] d = value.chars().map(c -> c - '0').toArray();
        return checkDigit(d, INN_WEIGHTS_11) == d[10] && checkDigit(d, INN_WEIGHTS_12) == d[11];
    }

    /** Sixteen digits that pass the Luhn check. */
    public static boolean isCardNumber(String value) {
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

    public static boolean isAccountNumber(String value) {
        return value != null && ACCOUNT.matcher(value).matches();
    }

    public static boolean isBik(String value) {
        return value != null && BIK.matcher(value).matches();
    }

    /** The last four characters, for display; never more. */
    public static String last4(String value) {
        return value == null || value.length() < 4 ? null : value.substring(value.length() - 4);
    }

    private static int checkDigit(int[] digits, int[] weights) {
        int sum = 0;
        for (int i = 0; i < weights.length; i++) {
            sum += digits[i] * weights[i];
        }
        return sum % 11 % 10;
    }
}
