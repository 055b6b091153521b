package io.madetask.bridge.madetask;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * MadeTask said no, or could not be reached. Callers branch on the subclass and on {@link #code()}, MadeTask's stable
 * problem code; nothing above the client reads HTTP.
 */
public class MadeTaskException extends RuntimeException {

    private final int status;
    private final String code;
    private final String requestId;
    private final String existingId;
    private final List<MadeTaskModel.FieldError> errors;

    public MadeTaskException(int status, String code, String message, String requestId, String existingId,
            List<MadeTaskModel.FieldError> errors, Throwable cause) {
        super(message, cause);
        this.status = status;
        this.code = code;
        this.requestId = requestId;
        this.existingId = existingId;
        this.errors = errors == null ? List.of() : List.copyOf(errors);
    }

    /** HTTP status MadeTask answered with; 0 when no answer came. */
    public int status() {
        return status;
    }

    /** MadeTask's problem code, e.g. {@code duplicate_external_id}. */
    public String code() {
        return code;
    }

    public String requestId() {
        return requestId;
    }

    /** The id of the object that already exists, on {@code duplicate_external_id} and {@code payout_exists}. */
    public Optional<String> existingId() {
        return Optional.ofNullable(existingId);
    }

    public List<MadeTaskModel.FieldError> errors() {
        return errors;
    }

    /** Status and code, as they go into error messages: {@code "503 server_error"}, or just the code without an answer. */
    public String summary() {
        return (status == 0 ? "" : status + " ") + code;
    }

    /** Whether the same call, with the same idempotency key, may succeed later. */
    public boolean isTransient() {
        return false;
    }

    /** MadeTask could not answer: 5xx, a timeout, a lost connection, or the key is still in use. Safe to retry. */
    public static class Unavailable extends MadeTaskException {
        private final Duration retryAfter;

        public Unavailable(int status, String code, String message, String requestId, Duration retryAfter,
                Throwable cause) {
            super(status, code, message, requestId, null, null, cause);
            this.retryAfter = retryAfter;
        }

        public Optional<Duration> retryAfter() {
            return Optional.ofNullable(retryAfter);
        }

        @Override
        public boolean isTransient() {
            return true;
        }
    }

    /** 429: over the account's rate limit. */
    public static class RateLimited extends Unavailable {
        public RateLimited(String message, String requestId, Duration retryAfter) {
            super(429, "rate_limited", message, requestId, retryAfter, null);
        }
    }

    /** 401: the access token was refused. */
    public static class Unauthorized extends MadeTaskException {
        public Unauthorized(String code, String message, String requestId) {
            super(401, code, message, requestId, null, null, null);
        }
    }

    /** 404: no such executor, task or payout. */
    public static class NotFound extends MadeTaskException {
        public NotFound(String code, String message, String requestId) {
            super(404, code, message, requestId, null, null, null);
        }
    }

    /** 409: a duplicate, an existing payout, or a move the status machine forbids. */
    public static class Conflict extends MadeTaskException {
        public Conflict(String code, String message, String requestId, String existingId) {
            super(409, code, message, requestId, existingId, null, null);
        }
    }

    /** 412: the object changed since the version the bridge sent. */
    public static class VersionMismatch extends MadeTaskException {
        public VersionMismatch(String code, String message, String requestId) {
            super(412, code, message, requestId, null, null, null);
        }
    }

    /** 422: a business refusal, e.g. {@code executor_not_payable} or {@code income_limit_exceeded}. */
    public static class Refused extends MadeTaskException {
        public Refused(String code, String message, String requestId) {
            super(422, code, message, requestId, null, null, null);
        }
    }

    /** 400 and other 4xx: the request itself was wrong. */
    public static class Invalid extends MadeTaskException {
        public Invalid(int status, String code, String message, String requestId,
                List<MadeTaskModel.FieldError> errors) {
            super(status, code, message, requestId, null, errors, null);
        }
    }

    /** The circuit breaker is open: MadeTask kept failing, and the bridge is not calling it for a while. */
    public static class CircuitOpen extends Unavailable {
        public CircuitOpen(String requestId) {
            super(0, "circuit_open", "MadeTask keeps failing; calls are paused by the circuit breaker", requestId,
                    null, null);
        }
    }
}
