package io.madetask.bridge.common;

import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import io.quarkus.runtime.configuration.MemorySize;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * Requests over this API's limits are refused as problem+json like every other error, before anything reads them:
 * a body over {@code quarkus.http.limits.max-body-size} (413: at once when its Content-Length says so, and when a body
 * sent without one grows past the limit), a request line over {@link HttpConfig#maxRequestLine()} (414), headers over
 * {@link HttpConfig#maxHeaders()} (431), and a body still not all sent {@link HttpConfig#bodyTimeout()} after its
 * headers (408: a client trickling its body does not hold the connection for ever). Forms (multipart or URL-encoded)
 * with a body are 415 at once: the API takes JSON only, and Quarkus REST would otherwise parse them first.
 * <p>
 * Vert.x refuses requests over its own decoder limits ({@code quarkus.http.limits.max-initial-line-length} and
 * {@code max-header-size}) before any handler runs, with an empty body, and Quarkus gives an application no hook
 * there. So those are set well above this API's limits, as a backstop only: what a client sees is this class's answer.
 */
@ApplicationScoped
class HttpLimits {

    private final long maxBody;
    private final long maxRequestLine;
    private final long maxHeaders;
    private final long bodyTimeoutMillis;
    private final ObjectMapper json;

    HttpLimits(@ConfigProperty(name = "quarkus.http.limits.max-body-size") MemorySize maxBody, HttpConfig limits,
            ObjectMapper json) {
        this.maxBody = maxBody.asLongValue();
        this.maxRequestLine = limits.maxRequestLine().asLongValue();
        this.maxHeaders = limits.maxHeaders().asLongValue();
        this.bodyTimeoutMillis = Math.max(1, limits.bodyTimeout().toMillis());
        this.json = json;
    }

    void routes(@Observes Router router) {
        router.route().order(Integer.MIN_VALUE).handler(ctx -> {
            if (ctx.request().uri().length() > maxRequestLine) {
                refuse(ctx, 414, "uri_too_long", "URI too long",
                        "The request's path and query are longer than this API takes (" + maxRequestLine
                                + " characters)");
                return;
            }
            if (headerBytes(ctx) > maxHeaders) {
                refuse(ctx, 431, "headers_too_large", "Request header fields too large",
                        "The request's headers are larger than this API takes (" + maxHeaders + " bytes)");
                return;
            }
            String type = ctx.request().getHeader("Content-Type");
            if (type != null && (isMultipart(type) || isForm(type) && hasBody(ctx))) {
                // Quarkus REST would parse a form before any resource could refuse it, and fail on a malformed one
                // (a multipart one even when empty: "Connection terminated reading multipart data", found by the fuzz
                // suite); an empty URL-encoded one (what many clients send on a POST without a body) is harmless
                refuse(ctx, 415, "unsupported_media_type", "Unsupported media type",
                        "This API takes JSON bodies only (application/json)");
                return;
            }
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
            // Only a body can be trickled: a request without one may take as long as its work takes.
            // A request answered before its body was read (a 401, a 404) keeps the timer: the connection is closed
            // then if the body still has not come, so that no one holds a socket by trickling a refused body.
            if (hasBody(ctx) && !ctx.request().isEnded()) {
                long timer = ctx.vertx().setTimer(bodyTimeoutMillis, id -> {
                    if (ctx.request().isEnded()) {
                        return;
                    }
                    if (ctx.response().ended()) {
                        ctx.request().connection().close();
                    } else {
                        refuse(ctx, 408, "request_timeout", "Request timeout",
                                "The request body was not all sent within " + bodyTimeoutMillis + " ms of its headers");
                    }
                });
                ctx.addEndHandler(done -> {
                    if (ctx.request().isEnded()) {
                        ctx.vertx().cancelTimer(timer);
                    }
                });
            }
            ctx.next();
        });
        router.errorHandler(413, this::tooLarge);
    }

    private static boolean isMultipart(String contentType) {
        return contentType.strip().toLowerCase(java.util.Locale.ROOT).startsWith("multipart/");
    }

    private static boolean isForm(String contentType) {
        String type = contentType.strip().toLowerCase(java.util.Locale.ROOT);
        return type.startsWith("multipart/") || type.startsWith("application/x-www-form-urlencoded");
    }

    private static boolean hasBody(RoutingContext ctx) {
        String length = ctx.request().getHeader("Content-Length");
        return ctx.request().getHeader("Transfer-Encoding") != null || length != null && !"0".equals(length.strip());
    }

    private static long headerBytes(RoutingContext ctx) {
        long size = 0;
        for (Map.Entry<String, String> header : ctx.request().headers()) {
            size += header.getKey().length() + header.getValue().length() + 4;
        }
        return size;
    }

    private void tooLarge(RoutingContext ctx) {
        refuse(ctx, 413, "payload_too_large", "Payload too large",
                "The request body is larger than this API takes (" + maxBody + " bytes)");
    }

    private void refuse(RoutingContext ctx, int status, String code, String title, String detail) {
        if (ctx.response().ended() || ctx.response().headWritten()) {
            return;
        }
        String requestId = RequestIds.taken(ctx.request().getHeader(RequestIds.HEADER));
        String body;
        try {
            body = json.writeValueAsString(Problem.of(status, code, title, detail, requestId, null));
        } catch (JsonProcessingException e) {
            body = "{\"status\":" + status + ",\"code\":\"" + code + "\"}";
        }
        ctx.response().setStatusCode(status).putHeader("Content-Type", Problem.MEDIA_TYPE)
                .putHeader(RequestIds.HEADER, requestId).putHeader("X-Content-Type-Options", "nosniff")
                .putHeader("Cache-Control", "no-store")
                // the rest of what the client sends is not read: the connection cannot be used again
                .putHeader("Connection", "close").end(body).onComplete(sent -> ctx.request().connection().close());
    }
}
