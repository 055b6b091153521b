package io.madetask.bridge.madetask;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

import io.madetask.bridge.common.Money;
import io.quarkus.runtime.annotations.RegisterForReflection;

/** The bodies of MadeTask API v1, field for field, in MadeTask's snake_case. */
public final class MadeTaskModel {

    private MadeTaskModel() {
    }

    @RegisterForReflection
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record PayoutMethod(String type, String cardNumber, String accountNumber, String bik, String cardLast4,
            String accountLast4) {

        public static PayoutMethod card(String cardNumber) {
            return new PayoutMethod("CARD", cardNumber, null, null, null, null);
        }

        public static PayoutMethod bankAccount(String accountNumber, String bik) {
            return new PayoutMethod("BANK_ACCOUNT", null, accountNumber, bik, null, null);
        }
    }

    @RegisterForReflection
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record ExecutorCreate(String externalId, String fullName, String phone, String email, String inn,
            String taxStatus, PayoutMethod payoutMethod) {
    }

    @RegisterForReflection
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record ExecutorPatch(String fullName, String phone, String email, PayoutMethod payoutMethod,
            String status) {
    }

    @RegisterForReflection
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Executor(String id, String externalId, String fullName, String phone, String email, String inn,
            String taxStatus, PayoutMethod payoutMethod, String status, boolean payable, long version,
            String createdAt, String updatedAt) {
    }

    @RegisterForReflection
    public record BulkRequest(List<ExecutorCreate> items) {
    }

    @RegisterForReflection
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record BulkResult(String externalId, int status, Executor executor, Problem error) {
    }

    @RegisterForReflection
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record BulkResponse(List<BulkResult> results) {
    }

    @RegisterForReflection
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record TaskCreate(String externalId, String executorId, String title, String description, Money reward,
            String deadline) {
    }

    @RegisterForReflection
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record TaskPatch(String title, String description, Money reward, String deadline) {
    }

    @RegisterForReflection
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Transition(String to, String comment) {
    }

    @RegisterForReflection
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Task(String id, String externalId, String executorId, String title, String description,
            Money reward, String deadline, String status, long version, String createdAt, String updatedAt) {
    }

    @RegisterForReflection
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record PayoutCreate(String taskId, Money amount, String purpose) {
    }

    @RegisterForReflection
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Payout(String id, String taskId, String executorId, Money amount, String status,
            String failureCode, String failureMessage, String receiptUrl, String createdAt, String updatedAt,
            String paidAt) {
    }

    @RegisterForReflection
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Balance(Money available, Money reserved) {
    }

    @RegisterForReflection
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Page<T>(List<T> items, String nextCursor) {
    }

    /** Whether a MadeTask id or status field holds something usable: present, not blank, no control characters. */
    public static boolean present(String value) {
        return value != null && !value.isBlank() && value.length() <= 255
                && value.chars().noneMatch(c -> c < 0x20 || c == 0x7f);
    }

    /** An event as MadeTask sends and lists it; {@code data} is the whole object at the time of the event. */
    @RegisterForReflection
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Event(String id, String type, String createdAt, JsonNode data) {
    }

    @RegisterForReflection
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record FieldError(String field, String message) {
    }

    @RegisterForReflection
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Problem(String type, String title, Integer status, String detail, String code, String requestId,
            List<FieldError> errors, String existingId) {
    }

    /** The filters of MadeTask's list calls; null means "not filtered". */
    public record ListQuery(String updatedSince, String externalId, String status, String taskId, String cursor,
            Integer limit) {

        public static ListQuery all() {
            return new ListQuery(null, null, null, null, null, null);
        }

        public ListQuery withCursor(String next) {
            return new ListQuery(updatedSince, externalId, status, taskId, next, limit);
        }
    }
}
