package io.madetask.sandbox;

import java.util.List;
import java.util.Map;

/** A refusal of the sandbox, answered as MadeTask's problem+json. */
final class SandboxProblem extends RuntimeException {

    final int status;
    final String code;
    final List<Map<String, String>> errors;
    final String existingId;

    SandboxProblem(int status, String code, String detail) {
        this(status, code, detail, null, null);
    }

    SandboxProblem(int status, String code, String detail, List<Map<String, String>> errors, String existingId) {
        super(detail, null, false, false);
        this.status = status;
        this.code = code;
        this.errors = errors;
        this.existingId = existingId;
    }

    static SandboxProblem validation(List<Map<String, String>> errors) {
        return new SandboxProblem(400, "validation_failed", "The request has invalid fields", errors, null);
    }
}
