package io.madetask.sandbox;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

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

    /** A 400 {@code validation_failed} naming one field. */
    static SandboxProblem invalid(String field, String message) {
        return validation(List.of(error(field, message)));
    }

    /** One entry of {@code errors}: the field and what is wrong with it. */
    static Map<String, String> error(String field, String message) {
        Map<String, String> error = new LinkedHashMap<>();
        error.put("field", field);
        error.put("message", message);
        return error;
    }

    /** The problem+json document of this refusal; {@code request_id} is null outside the API gate. */
    ObjectNode body(String requestId) {
        ObjectNode n = JsonNodeFactory.instance.objectNode();
        n.put("type", "https://madetask.example/problems/" + code);
        n.put("title", code.replace('_', ' '));
        n.put("status", status);
        n.put("detail", getMessage());
        n.put("code", code);
        n.put("request_id", requestId);
        if (errors != null) {
            ArrayNode list = n.putArray("errors");
            errors.forEach(e -> list.addObject().put("field", e.get("field")).put("message", e.get("message")));
        }
        if (existingId != null) {
            n.put("existing_id", existingId);
        }
        return n;
    }
}
