package io.madetask.bridge.common;

import java.util.UUID;
import java.util.regex.Pattern;

import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerResponseContext;

import org.jboss.logging.MDC;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;
import org.jboss.resteasy.reactive.server.ServerResponseFilter;

/**
 * Every request gets an id: the caller's {@code X-Request-Id} when it is sane, a new one otherwise. It is echoed in
 * the answer, put on every log line of the request ({@code requestId} in the MDC) and in every problem body.
 */
public class RequestIds {

    public static final String HEADER = "X-Request-Id";
    public static final String PROPERTY = "bridge.requestId";
    private static final Pattern CRM_ID = Pattern.compile("[A-Za-z0-9._:-]{1,100}");
    private static final Pattern SANE = Pattern.compile("[A-Za-z0-9._:-]{1,128}");

    @ServerRequestFilter(preMatching = true)
    public void assign(ContainerRequestContext request) {
        String given = request.getHeaderString(HEADER);
        String id = taken(given);
        request.setProperty(PROPERTY, id);
        MDC.put("requestId", id);
    }

    @ServerResponseFilter
    public void echo(ContainerRequestContext request, ContainerResponseContext response) {
        Object id = request.getProperty(PROPERTY);
        if (id != null) {
            response.getHeaders().putSingle(HEADER, id);
        }
    }

    /** The caller's request id when it is a sane one, else a new one. */
    static String taken(String given) {
        return given != null && SANE.matcher(given).matches() ? given : UUID.randomUUID().toString();
    }

    /** The id of the request being served on this context, if any. */
    public static String current() {
        Object id = MDC.get("requestId");
        return id == null ? null : id.toString();
    }

    /** Whether the text is a crmId: 1 to 100 of letters, digits and {@code . _ : -}. */
    public static boolean isCrmId(String value) {
        return value != null && CRM_ID.matcher(value).matches();
    }

    /** Checks a crmId in a path: 1 to 100 of letters, digits and {@code . _ : -}. */
    public static String checkCrmId(String crmId) {
        if (crmId == null || !CRM_ID.matcher(crmId).matches()) {
            throw BridgeException.validation(java.util.List.of(new Problem.FieldError("crmId",
                    "1 to 100 of letters, digits and . _ : -")));
        }
        return crmId;
    }

    public static String of(ContainerRequestContext request) {
        Object id = request == null ? null : request.getProperty(PROPERTY);
        return id == null ? null : id.toString();
    }
}
