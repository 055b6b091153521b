package io.madetask.bridge.common;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import io.quarkus.runtime.configuration.MemorySize;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * A body over {@code quarkus.http.limits.max-body-size} is refused as 413 problem+json like every other error, before
 * it is read: at once when its Content-Length says so, and when a body sent without one grows past the limit.
 */
@ApplicationScoped
class HttpLimits {

    private final long maxBody;
    private final ObjectMapper json;

    HttpLimits(@ConfigProperty(name = "quarkus.http.limits.max-body-size") MemorySize maxBody, ObjectMapper json) {
        this.maxBody = maxBody.asLongValue();
        this.json = json;
    }

    void routes(@Observes Router router) {
        router.route().order(Integer.MIN_VALUE).handler(ctx -> {
            String length = ctx.request().getHeader("Content-Length");
            if (length != null) {
                try {
                    if (Long.parseLong(length.trim()) > maxBody) {
                        tooLarge(ctx);
                        return;
                    }
                } catch (NumberFormatException e) {
                    // Vert.x refuses a malformed Content-Length itself
                }
            }
            ctx.next();
        });
        router.errorHandler(413, this::tooLarge);
    }

    private void tooLarge(RoutingContext ctx) {
        if (ctx.response().ended()) {
            return;
        }
        String requestId = ctx.request().getHeader(RequestIds.HEADER);
        Problem problem = Problem.of(413, "payload_too_large", "Payload too large",
                "The request body is larger than this API takes (" + maxBody + " bytes)",
                requestId == null ? java.util.UUID.randomUUID().toString() : requestId, null);
        String body;
        try {
            body = json.writeValueAsString(problem);
        } catch (JsonProcessingException e) {
            body = "{\"status\":413,\"code\":\"payload_too_large\"}";
        }
        ctx.response().setStatusCode(413).putHeader("Content-Type", Problem.MEDIA_TYPE)
                .putHeader("Connection", "close").end(body);
    }
}
