package io.madetask.bridge.common;

import java.io.IOException;
import java.util.List;
import java.util.Map;

import jakarta.inject.Singleton;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Response;

import org.jboss.resteasy.reactive.server.ServerRequestFilter;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.deser.std.StringDeserializer;
import com.fasterxml.jackson.databind.module.SimpleModule;

import io.quarkus.jackson.ObjectMapperCustomizer;

/**
 * Text from outside, checked once at the edge: no NUL in any JSON string (PostgreSQL cannot store it, and no field of
 * this API means it), and no control character in a path or a query parameter (ids, filters, pages). Either is a
 * 400 naming where it was, before anything reaches the database.
 */
public final class TextInput {

    private TextInput() {
    }

    /** Whether the text holds a control character (C0 or DEL). */
    public static boolean hasControl(String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                return true;
            }
        }
        return false;
    }

    /** Whether the text holds half of a UTF-16 surrogate pair on its own: not a character, not storable. */
    static boolean unpairedSurrogate(String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < value.length() && Character.isLowSurrogate(value.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Every JSON document the API reads is read strictly: a key given twice, anything after the document, and a number
     * or boolean where text belongs, and a number or text where a boolean belongs, are refused (a proxy reading the first of two card numbers and the bridge the last
     * would disagree about whom to pay); every string refuses NUL and unpaired surrogates, as a field error of that
     * field.
     */
    @Singleton
    public static class NoNulInJson implements ObjectMapperCustomizer {

        @Override
        public void customize(ObjectMapper mapper) {
            mapper.enable(com.fasterxml.jackson.core.JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
            mapper.enable(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
            mapper.coercionConfigFor(com.fasterxml.jackson.databind.type.LogicalType.Textual)
                    .setCoercion(com.fasterxml.jackson.databind.cfg.CoercionInputShape.Integer,
                            com.fasterxml.jackson.databind.cfg.CoercionAction.Fail)
                    .setCoercion(com.fasterxml.jackson.databind.cfg.CoercionInputShape.Float,
                            com.fasterxml.jackson.databind.cfg.CoercionAction.Fail)
                    .setCoercion(com.fasterxml.jackson.databind.cfg.CoercionInputShape.Boolean,
                            com.fasterxml.jackson.databind.cfg.CoercionAction.Fail);
            // a number is no yes or no: "dryRun": 1 is refused, not taken for true
            mapper.coercionConfigFor(com.fasterxml.jackson.databind.type.LogicalType.Boolean)
                    .setCoercion(com.fasterxml.jackson.databind.cfg.CoercionInputShape.Integer,
                            com.fasterxml.jackson.databind.cfg.CoercionAction.Fail)
                    .setCoercion(com.fasterxml.jackson.databind.cfg.CoercionInputShape.String,
                            com.fasterxml.jackson.databind.cfg.CoercionAction.Fail);
            mapper.registerModule(new SimpleModule("no-nul-in-strings").addDeserializer(String.class,
                    new StringDeserializer() {
                        @Override
                        public String deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
                            String value = super.deserialize(p, ctxt);
                            if (value != null && value.indexOf((char) 0) >= 0) {
                                return (String) ctxt.handleWeirdStringValue(String.class, value,
                                        "NUL characters are not allowed");
                            }
                            if (value != null && unpairedSurrogate(value)) {
                                return (String) ctxt.handleWeirdStringValue(String.class, value,
                                        "not valid Unicode (an unpaired surrogate)");
                            }
                            return value;
                        }
                    }));
        }
    }

    /** Paths and query parameters with control characters are refused before any resource sees them. */
    public static class NoControlInUrl {

        @ServerRequestFilter(preMatching = true)
        public Response check(ContainerRequestContext request) {
            if (hasControl(request.getUriInfo().getPath())) {
                return refuse(request, "path");
            }
            for (Map.Entry<String, List<String>> p : request.getUriInfo().getQueryParameters().entrySet()) {
                if (hasControl(p.getKey()) || p.getValue().stream().anyMatch(TextInput::hasControl)) {
                    return refuse(request, hasControl(p.getKey()) ? "query" : p.getKey());
                }
            }
            return null;
        }

        private static Response refuse(ContainerRequestContext request, String field) {
            return ProblemMapper.answer(400, "validation_failed", "Invalid request",
                    "Control characters are not allowed in the URL", request,
                    List.of(new Problem.FieldError(field, "no control characters")));
        }
    }
}
