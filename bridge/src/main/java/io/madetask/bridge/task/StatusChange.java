package io.madetask.bridge.task;

import io.quarkus.runtime.annotations.RegisterForReflection;

/** The body of {@code POST /api/v1/tasks/{crmId}/status}. */
@RegisterForReflection
public record StatusChange(String status, String comment) {
}
