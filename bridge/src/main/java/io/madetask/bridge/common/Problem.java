package io.madetask.bridge.common;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;

import io.quarkus.runtime.annotations.RegisterForReflection;

/** The body of every error answer: RFC 9457 problem details with a stable {@code code} clients branch on. */
@RegisterForReflection
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record Problem(String type, String title, int status, String detail, String code, String requestId,
        List<FieldError> errors) {

    public static final String MEDIA_TYPE = "application/problem+json";

    @RegisterForReflection
    public record FieldError(String field, String message) {
    }

    public static Problem of(int status, String code, String title, String detail, String requestId,
            List<FieldError> errors) {
        return new Problem("https://madetask-bridge.example/problems/" + code, title, status, detail, code, requestId,
                errors);
    }
}
