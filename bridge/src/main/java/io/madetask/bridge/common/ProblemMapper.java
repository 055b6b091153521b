package io.madetask.bridge.common;

import java.util.List;

import jakarta.ws.rs.NotAllowedException;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.NotSupportedException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Response;

import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;

import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.ForbiddenException;
import io.quarkus.security.UnauthorizedException;

/**
 * The one place where failures become answers: application/problem+json with a stable {@code code}. No class name,
 * stack trace or SQL ever reaches a client; unexpected failures are logged with the request id and answered as 500.
 * MadeTask's failures are mapped beside the client ({@code madetask.MadeTaskProblems}), so this package knows no other.
 */
public class ProblemMapper {

    private static final Logger LOG = Logger.getLogger(ProblemMapper.class);

    @ServerExceptionMapper
    public Response bridge(BridgeException e, ContainerRequestContext request) {
        return answer(e.status(), e.code(), e.title(), e.getMessage(), request, e.errors());
    }

    @ServerExceptionMapper
    public Response malformedJson(JsonProcessingException e, ContainerRequestContext request) {
        if (e instanceof MismatchedInputException mismatch && !mismatch.getPath().isEmpty()) {
            String field = mismatch.getPath().stream()
                    .map(ref -> ref.getFieldName() != null ? ref.getFieldName() : "[" + ref.getIndex() + "]")
                    .reduce((a, b) -> b.startsWith("[") ? a + b : a + "." + b).orElse("body");
            String message = e instanceof InvalidFormatException ? "has the wrong type or format" : "is not valid here";
            return answer(400, "validation_failed", "Invalid request", "A field has the wrong type", request,
                    List.of(new Problem.FieldError(field, message)));
        }
        return answer(400, "malformed_json", "Malformed JSON", "The request body is not valid JSON", request, null);
    }

    @ServerExceptionMapper
    public Response mismatchedInput(MismatchedInputException e, ContainerRequestContext request) {
        return malformedJson(e, request);
    }

    @ServerExceptionMapper
    public Response invalidFormat(InvalidFormatException e, ContainerRequestContext request) {
        return malformedJson(e, request);
    }

    @ServerExceptionMapper
    public Response unparseable(com.fasterxml.jackson.core.JsonParseException e, ContainerRequestContext request) {
        return malformedJson(e, request);
    }

    @ServerExceptionMapper
    public Response unauthorized(UnauthorizedException e, ContainerRequestContext request) {
        return unauthenticated(request);
    }

    @ServerExceptionMapper
    public Response authenticationFailed(AuthenticationFailedException e, ContainerRequestContext request) {
        return unauthenticated(request);
    }

    @ServerExceptionMapper
    public Response forbidden(ForbiddenException e, ContainerRequestContext request) {
        return answer(403, "forbidden", "Forbidden", "Your role may not do this", request, null);
    }

    /** The API's typed query parameters that do not convert: which of them is wrong, for {@code errors}. */
    private static List<Problem.FieldError> unconvertible(ContainerRequestContext request) {
        List<Problem.FieldError> errors = new java.util.ArrayList<>();
        var query = request.getUriInfo().getQueryParameters();
        for (String name : List.of("page", "size")) {
            String value = query.getFirst(name);
            if (value != null) {
                try {
                    Integer.parseInt(value.strip());
                } catch (NumberFormatException e) {
                    errors.add(new Problem.FieldError(name, "a whole number"));
                }
            }
        }
        for (String name : List.of("from", "to", "updatedSince")) {
            String value = query.getFirst(name);
            if (value != null) {
                try {
                    java.time.Instant.parse(value.strip());
                } catch (java.time.format.DateTimeParseException e) {
                    errors.add(new Problem.FieldError(name, "an RFC 3339 time in UTC, e.g. 2026-12-01T18:00:00Z"));
                }
            }
        }
        return errors.isEmpty() ? null : errors;
    }

    @ServerExceptionMapper
    public Response web(WebApplicationException e, ContainerRequestContext request) {
        int status = e.getResponse().getStatus();
        if (e instanceof NotFoundException && e.getCause() != null) {
            // A query or path parameter that does not convert (a page that is no number, a date that is no date)
            return answer(400, "validation_failed", "Invalid request", "A parameter has the wrong type or format",
                    request, unconvertible(request));
        }
        if (e instanceof NotFoundException) {
            return answer(404, "not_found", "Not found", "No such resource", request, null);
        }
        if (e instanceof NotAllowedException) {
            return answer(405, "method_not_allowed", "Method not allowed", "This method is not allowed here", request,
                    null);
        }
        if (e instanceof NotSupportedException) {
            return answer(415, "unsupported_media_type", "Unsupported media type", "Send application/json", request,
                    null);
        }
        if (status >= 500) {
            return unexpected(e, request);
        }
        if (status == 400 && e.getCause() instanceof JsonProcessingException json) {
            return malformedJson(json, request);
        }
        return answer(status, status == 406 ? "not_acceptable" : "bad_request",
                Response.Status.fromStatusCode(status) == null ? "Error"
                        : Response.Status.fromStatusCode(status).getReasonPhrase(),
                "The request cannot be served as sent", request, null);
    }

    @ServerExceptionMapper(priority = 10_000)
    public Response unexpected(Throwable e, ContainerRequestContext request) {
        if (databaseUnreachable(e)) {
            LOG.warnf("Request %s: the database is unreachable (%s)", RequestIds.of(request), e.toString());
            return Response.fromResponse(answer(503, "database_unavailable", "Service unavailable",
                    "The bridge cannot reach its database right now; nothing was changed. Try again shortly", request,
                    null)).header("Retry-After", "5").build();
        }
        LOG.errorf(e, "Unexpected failure serving request %s", RequestIds.of(request));
        return answer(500, "internal_error", "Internal error",
                "Something went wrong on our side; quote the request id when you report it", request, null);
    }

    /** A refused, broken or closed connection to PostgreSQL anywhere in the cause chain. */
    static boolean databaseUnreachable(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof java.net.ConnectException || t instanceof io.vertx.sqlclient.ClosedConnectionException
                    || t instanceof io.vertx.core.VertxException && String.valueOf(t.getMessage()).contains("closed")) {
                return true;
            }
        }
        return false;
    }

    private Response unauthenticated(ContainerRequestContext request) {
        return Response.status(401).type(Problem.MEDIA_TYPE).header("WWW-Authenticate", "Bearer")
                .entity(Problem.of(401, "unauthorized", "Unauthorized", "A valid bearer token is required",
                        RequestIds.of(request), null))
                .build();
    }

    /** A problem answer; exception mappers of other packages (the MadeTask client's) use it too. */
    public static Response answer(int status, String code, String title, String detail, ContainerRequestContext request,
            List<Problem.FieldError> errors) {
        return Response.status(status).type(Problem.MEDIA_TYPE)
                .entity(Problem.of(status, code, title, detail, RequestIds.of(request), errors)).build();
    }
}
