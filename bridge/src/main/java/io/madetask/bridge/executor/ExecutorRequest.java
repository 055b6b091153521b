package io.madetask.bridge.executor;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import io.madetask.bridge.common.BridgeException;
import io.madetask.bridge.common.PersonalDataRules;
import io.madetask.bridge.common.Problem;
import io.quarkus.runtime.annotations.RegisterForReflection;

/** The body of {@code PUT /api/v1/executors/{crmId}}. Its toString never shows personal data. */
@RegisterForReflection
public record ExecutorRequest(String fullName, String phone, String email, String inn, String taxStatus,
        PayoutMethod payoutMethod) {

    static final Set<String> TAX_STATUSES = Set.of("SELF_EMPLOYED", "SOLE_PROPRIETOR", "INDIVIDUAL");

    @RegisterForReflection
    public record PayoutMethod(String type, String cardNumber, String accountNumber, String bik) {

        /** The full number, card or account. */
        String number() {
            return "CARD".equals(type) ? cardNumber : accountNumber;
        }

        @Override
        public String toString() {
            return "PayoutMethod[type=" + type + ", last4=" + PersonalDataRules.last4(number()) + "]";
        }
    }

    /** Checks the body as MadeTask would; a new executor needs every field, an update may leave the payout method out. */
    void validate(boolean creating) {
        List<Problem.FieldError> errors = new ArrayList<>();
        if (fullName == null || fullName.isBlank() || fullName.length() > 300) {
            errors.add(new Problem.FieldError("fullName", "required, 1 to 300 characters"));
        }
        if (!PersonalDataRules.isPhone(phone)) {
            errors.add(new Problem.FieldError("phone", "must be E.164: +7 and 10 digits"));
        }
        if (!PersonalDataRules.isEmail(email)) {
            errors.add(new Problem.FieldError("email", "must be an email address"));
        }
        if (!PersonalDataRules.isIndividualInn(inn)) {
            errors.add(new Problem.FieldError("inn", "must be an individual's ИНН: 12 digits with valid check digits"));
        }
        if (taxStatus == null || !TAX_STATUSES.contains(taxStatus)) {
            errors.add(new Problem.FieldError("taxStatus", "one of SELF_EMPLOYED, SOLE_PROPRIETOR, INDIVIDUAL"));
        }
        if (payoutMethod == null) {
            if (creating) {
                errors.add(new Problem.FieldError("payoutMethod", "required for a new executor"));
            }
        } else if ("CARD".equals(payoutMethod.type())) {
            if (!PersonalDataRules.isCardNumber(payoutMethod.cardNumber())) {
                errors.add(new Problem.FieldError("payoutMethod.cardNumber", "must be 16 digits passing the Luhn check"));
            }
        } else if ("BANK_ACCOUNT".equals(payoutMethod.type())) {
            if (!PersonalDataRules.isAccountNumber(payoutMethod.accountNumber())) {
                errors.add(new Problem.FieldError("payoutMethod.accountNumber", "must be 20 digits"));
            }
            if (!PersonalDataRules.isBik(payoutMethod.bik())) {
                errors.add(new Problem.FieldError("payoutMethod.bik", "must be 9 digits"));
            }
        } else {
            errors.add(new Problem.FieldError("payoutMethod.type", "CARD or BANK_ACCOUNT"));
        }
        if (!errors.isEmpty()) {
            throw BridgeException.validation(errors);
        }
    }

    @Override
    public String toString() {
        return "ExecutorRequest[taxStatus=" + taxStatus + ", payoutMethod=" + payoutMethod + "]";
    }
}
