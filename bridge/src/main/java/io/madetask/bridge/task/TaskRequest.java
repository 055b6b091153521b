package io.madetask.bridge.task;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;

import io.madetask.bridge.common.BridgeException;
import io.madetask.bridge.common.Money;
import io.madetask.bridge.common.Problem;
import io.quarkus.runtime.annotations.RegisterForReflection;

/** The body of {@code PUT /api/v1/tasks/{crmId}}. */
@RegisterForReflection
public record TaskRequest(String executorCrmId, String title, String description, Money reward,
        OffsetDateTime deadline) {

    void validate() {
        List<Problem.FieldError> errors = new ArrayList<>();
        if (executorCrmId == null || executorCrmId.isBlank()) {
            errors.add(new Problem.FieldError("executorCrmId", "required"));
        }
        if (title == null || title.isBlank() || title.length() > 200) {
            errors.add(new Problem.FieldError("title", "required, 1 to 200 characters"));
        }
        if (description != null && description.length() > 10_000) {
            errors.add(new Problem.FieldError("description", "at most 10000 characters"));
        }
        if (reward == null || !Money.isWellFormed(reward.amount()) || !Money.RUB.equals(reward.currency())
                || reward.value().signum() <= 0) {
            errors.add(new Problem.FieldError("reward", "a positive RUB amount with two fraction digits, e.g. {\"amount\": \"1500.00\", \"currency\": \"RUB\"}"));
        }
        if (deadline != null && (deadline.toInstant().isBefore(EARLIEST) || deadline.toInstant().isAfter(LATEST))) {
            errors.add(new Problem.FieldError("deadline", "a time between 1970-01-01 and 9999-12-31 (UTC), RFC 3339"));
        }
        if (!errors.isEmpty()) {
            throw BridgeException.validation(errors);
        }
    }

    private static final Instant EARLIEST = Instant.parse("1970-01-01T00:00:00Z");
    private static final Instant LATEST = Instant.parse("9999-12-31T23:59:59.999999Z");

    /** The deadline as stored (PostgreSQL keeps microseconds): what the answer shows is what was stored. */
    Instant deadlineInstant() {
        return deadline == null ? null : deadline.toInstant().truncatedTo(ChronoUnit.MICROS);
    }
}
