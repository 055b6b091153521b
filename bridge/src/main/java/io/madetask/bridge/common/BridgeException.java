package io.madetask.bridge.common;

import java.util.List;

/** A refusal of the bridge's own, answered as problem+json with the given status and code. */
public class BridgeException extends RuntimeException {

    private final int status;
    private final String code;
    private final String title;
    private final List<Problem.FieldError> errors;

    public BridgeException(int status, String code, String title, String detail) {
        this(status, code, title, detail, List.of());
    }

    public BridgeException(int status, String code, String title, String detail, List<Problem.FieldError> errors) {
        super(detail, null, false, false);
        this.status = status;
        this.code = code;
        this.title = title;
        this.errors = List.copyOf(errors);
    }

    public static BridgeException validation(List<Problem.FieldError> errors) {
        return new BridgeException(400, "validation_failed", "Invalid request",
                "The request has " + errors.size() + " invalid field(s)", errors);
    }

    public static BridgeException notFound(String what, String id) {
        return new BridgeException(404, "not_found", "Not found", "No " + what + " with id " + id);
    }

    public int status() {
        return status;
    }

    public String code() {
        return code;
    }

    public String title() {
        return title;
    }

    public List<Problem.FieldError> errors() {
        return errors;
    }
}
