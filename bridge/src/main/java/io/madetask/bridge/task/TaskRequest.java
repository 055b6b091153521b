package io.madetask.bridge.task;

import java.time.OffsetDateTime;
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
        if (!errors.isEmpty()) {
            throw BridgeException.validation(errors);
        }
    }
}
