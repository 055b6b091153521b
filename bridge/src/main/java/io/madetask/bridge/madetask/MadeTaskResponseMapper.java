package io.madetask.bridge.madetask;

import java.time.Duration;

import jakarta.ws.rs.core.Response;

import org.eclipse.microprofile.rest.client.ext.ResponseExceptionMapper;

import com.fasterxml.jackson.databind.ObjectMapper;

/** Turns MadeTask's problem answers into typed {@link MadeTaskException}s, at the edge of the client. */
class MadeTaskResponseMapper implements ResponseExceptionMapper<MadeTaskException> {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Override
    public MadeTaskException toThrowable(Response response) {
        int status = response.getStatus();
        MadeTaskModel.Problem problem = readProblem(response);
        String code = problem != null && problem.code() != null ? problem.code() : "http_" + status;
        String detail = problem != null && problem.detail() != null ? problem.detail()
                : "MadeTask answered " + status;
        String requestId = problem != null && problem.requestId() != null ? problem.requestId()
                : response.getHeaderString("X-Request-Id");
        Duration retryAfter = retryAfter(response.getHeaderString("Retry-After"));
        if (status == 429) {
            return new MadeTaskException.RateLimited(detail, requestId, retryAfter);
        }
        if (status >= 500 || (status == 409 && "idempotency_key_in_use".equals(code))) {
            return new MadeTaskException.Unavailable(status, code, detail, requestId, retryAfter, null);
        }
        return switch (status) {
            case 401 -> new MadeTaskException.Unauthorized(code, detail, requestId);
            case 404 -> new MadeTaskException.NotFound(code, detail, requestId);
            case 409 -> new MadeTaskException.Conflict(code, detail, requestId,
                    problem == null ? null : problem.existingId());
            case 412 -> new MadeTaskException.VersionMismatch(code, detail, requestId);
            case 422 -> "idempotency_key_reused".equals(code)
                    ? new MadeTaskException.Invalid(status, code, detail, requestId, null)
                    : new MadeTaskException.Refused(code, detail, requestId);
            default -> new MadeTaskException.Invalid(status, code, detail, requestId,
                    problem == null ? null : problem.errors());
        };
    }

    @Override
    public boolean handles(int status, jakarta.ws.rs.core.MultivaluedMap<String, Object> headers) {
        return status >= 400;
    }

    private static MadeTaskModel.Problem readProblem(Response response) {
        try {
            String body = response.readEntity(String.class);
            return body == null || body.isBlank() ? null : JSON.readValue(body, MadeTaskModel.Problem.class);
        } catch (Exception e) {
            return null;
        }
    }

    /** {@code Retry-After} in seconds (MadeTask's form); an HTTP date is not used by MadeTask and is ignored. */
    static Duration retryAfter(String header) {
        if (header == null || header.isBlank()) {
            return null;
        }
        try {
            return Duration.ofSeconds(Math.max(0, Long.parseLong(header.trim())));
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
