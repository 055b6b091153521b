package io.madetask.bridge.fuzz;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.function.Supplier;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.util.RawValue;

import io.madetask.bridge.common.Signatures;
import io.madetask.bridge.testing.SandboxResource;
import io.madetask.bridge.testing.SandboxTest;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.RandomGenerator;
import net.jqwik.api.sessions.JqwikSession;

/**
 * Malformed requests generated from the served OpenAPI document: every operation it lists, and the webhook, get path
 * ids, query values and bodies drawn from jqwik's generators (any code point, control characters, lone surrogates,
 * invalid UTF-8 bytes, huge and negative numbers, wrong JSON types, truncated and deeply nested JSON, wrong media
 * types), under every role, with odd {@code executor_id} claim values and with forged tokens. None may get a 5xx, and
 * every refusal is problem+json with a {@code code}.
 * <p>
 * The seed is printed; {@code -Dfuzz.seed=...} repeats a run, {@code -Dfuzz.per-operation=...} makes it longer.
 */
@QuarkusTest
@WithTestResource(SandboxResource.class)
class MalformedRequestsTest extends SandboxTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final long SEED = Long.getLong("fuzz.seed", System.currentTimeMillis());
    private static final int PER_OPERATION = Integer.getInteger("fuzz.per-operation", 175);

    private final Random random = new Random(SEED);
    private final Map<String, Integer> statuses = new TreeMap<>();
    private final List<String> failures = new ArrayList<>();
    private int sent;

    /** One operation of the OpenAPI document. */
    record Operation(String method, String path, List<String> query, JsonNode body) {
    }

    @Test
    void noGeneratedMalformedRequestGetsA5xxAndEveryRefusalIsProblemJsonWithACode() throws Exception {
        System.out.println("FUZZ seed " + SEED + " (repeat with -Dfuzz.seed=" + SEED + ")");
        JsonNode api = JSON.readTree(given().accept("application/json").get("/q/openapi").asString());
        List<Operation> operations = operations(api);
        assertThat(operations).as("operations in the OpenAPI document").hasSizeGreaterThanOrEqualTo(25);

        JqwikSession.start();
        try {
            generators();
            List<Supplier<String>> callers = callers();
            for (Operation op : operations) {
                for (int i = 0; i < PER_OPERATION; i++) {
                    String url = url(op);
                    RequestSpecification request = given().urlEncodingEnabled(false);
                    String token = callers.get(random.nextInt(callers.size())).get();
                    if (token != null) {
                        request.header("Authorization", "Bearer " + token);
                    }
                    String body = null;
                    if (!"GET".equals(op.method()) && random.nextInt(10) < 8) {
                        String type = mediaType();
                        body = body(op.body());
                        request.contentType(type).body(body.getBytes(StandardCharsets.UTF_8));
                        body = "(" + type + ") " + body;
                    }
                    if (!"GET".equals(op.method())) {
                        request.header("Idempotency-Key", headerValue());
                    }
                    check(op.method() + " " + url + (body == null ? "" : " " + abbreviate(body)),
                            request.request(op.method(), url));
                }
            }
            webhooks();
        } finally {
            JqwikSession.finish();
        }
        System.out.println("FUZZ " + sent + " requests over " + operations.size() + " operations and the webhook, "
                + "by status " + statuses + ", " + failures.size() + " answered badly");
        assertThat(failures).as("5xx, or refusals that are not problem+json with a code (seed %d)", SEED).isEmpty();
        assertThat(sent).isGreaterThanOrEqualTo(5000);
    }

    /** Signed with the right secret, so that every body reaches the parser: odd ids, types and data. */
    private void webhooks() {
        for (int i = 0; i < 600; i++) {
            String body;
            if (random.nextInt(5) == 0) {
                body = body(null);
            } else {
                ObjectNode event = NODES.objectNode();
                event.set("id", value("string"));
                event.set("type", random.nextBoolean() ? NODES.textNode(
                        pick("executor.updated", "task.updated", "payout.updated")) : value("string"));
                event.set("created_at", random.nextBoolean() ? NODES.textNode(Instant.now().toString()) : value("string"));
                ObjectNode data = NODES.objectNode();
                for (String field : List.of("id", "external_id", "status", "version", "payable", "amount",
                        "task_id", "executor_id")) {
                    if (random.nextBoolean()) {
                        data.set(field, value(pick("string", "integer", "boolean", "object")));
                    }
                }
                event.set("data", random.nextInt(6) == 0 ? value("string") : data);
                body = event.toString();
            }
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            String signature = Signatures.sign(SandboxResource.WEBHOOK_SECRET, Instant.now().getEpochSecond(), bytes);
            check("POST /webhooks/madetask " + abbreviate(body), given().contentType("application/json")
                    .header("MadeTask-Signature", signature).body(bytes).post("/webhooks/madetask"));
        }
    }

    private void check(String what, Response answer) {
        sent++;
        int status = answer.statusCode();
        statuses.merge(status / 100 + "xx", 1, Integer::sum);
        if (status >= 500) {
            failures.add(status + " " + what);
        } else if (status >= 400) {
            String type = String.valueOf(answer.contentType());
            String code = null;
            try {
                code = JSON.readTree(answer.asString()).path("code").asText(null);
            } catch (Exception notJson) {
                // reported below
            }
            if (!type.startsWith("application/problem+json") || code == null || code.isBlank()) {
                failures.add(status + " " + type + " code=" + code + " " + what);
            }
        }
    }

    // ------------------------------------------------------------------------------------------ the document

    private static List<Operation> operations(JsonNode api) {
        List<Operation> operations = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> paths = api.path("paths").fields(); paths.hasNext();) {
            Map.Entry<String, JsonNode> path = paths.next();
            for (Iterator<Map.Entry<String, JsonNode>> ops = path.getValue().fields(); ops.hasNext();) {
                Map.Entry<String, JsonNode> op = ops.next();
                if (!List.of("get", "put", "post", "patch", "delete").contains(op.getKey())) {
                    continue;
                }
                List<String> query = new ArrayList<>();
                for (JsonNode p : op.getValue().path("parameters")) {
                    if ("query".equals(p.path("in").asText())) {
                        query.add(p.path("name").asText());
                    }
                }
                JsonNode schema = resolve(api,
                        op.getValue().path("requestBody").path("content").path("application/json").path("schema"));
                operations.add(new Operation(op.getKey().toUpperCase(), path.getKey(), query,
                        schema.isMissingNode() ? null : schema));
            }
        }
        return operations;
    }

    private static JsonNode resolve(JsonNode api, JsonNode schema) {
        if (schema.has("$ref")) {
            String name = schema.get("$ref").asText().substring("#/components/schemas/".length());
            return resolve(api, api.path("components").path("schemas").path(name));
        }
        if (schema.isObject()) {
            ObjectNode copy = schema.deepCopy();
            if (schema.has("properties")) {
                ObjectNode props = NODES.objectNode();
                schema.get("properties").fields().forEachRemaining(e -> props.set(e.getKey(), resolve(api, e.getValue())));
                copy.set("properties", props);
            }
            if (schema.has("items")) {
                copy.set("items", resolve(api, schema.get("items")));
            }
            return copy;
        }
        return schema;
    }

    // ------------------------------------------------------------------------------------------ generators

    private RandomGenerator<String> anyText;
    private RandomGenerator<String> controls;
    private RandomGenerator<String> ascii;
    private RandomGenerator<String> printable;
    private RandomGenerator<byte[]> bytes;
    private RandomGenerator<Long> longs;
    private RandomGenerator<Integer> ints;
    private RandomGenerator<String> trick;

    /** jqwik's generators exist only inside a session. */
    private void generators() {
        anyText = Arbitraries.strings().all().ofMaxLength(40).generator(1000, true);
        controls = Arbitraries.strings().withCharRange('\u0000', '\u001f').ofMinLength(1).ofMaxLength(4)
                .generator(1000, true);
        ascii = Arbitraries.strings().ascii().ofMaxLength(30).generator(1000, true);
        printable = Arbitraries.strings().withCharRange(' ', '~').ofMaxLength(60).generator(1000, true);
        bytes = Arbitraries.bytes().array(byte[].class).ofMaxSize(12).generator(1000, true);
        longs = Arbitraries.longs().generator(1000, true);
        ints = Arbitraries.integers().generator(1000, true);
        Arbitrary<String> tricks = Arbitraries.of("", " ", "..", "../..", "%", "null", "-1", "0",
                "99999999999999999999", "\"B\"", "B\"", "'; drop table executor; --", "<script>", "\u202e", "\ud800",
                "\u0000", "a".repeat(300), "1e309", "NaN", "true", "[]", "{}", "crm-ex-1");
        trick = tricks.generator(1000, true);
    }

    private String oddText() {
        return switch (random.nextInt(5)) {
            case 0 -> anyText.next(random).value();
            case 1 -> "x" + controls.next(random).value();
            case 2 -> trick.next(random).value();
            case 3 -> ascii.next(random).value();
            default -> "ok-" + random.nextInt(1000);
        };
    }

    /** A path segment or query value: a generated text, percent-encoded (or raw bytes, any of them invalid UTF-8). */
    private String urlValue() {
        if (random.nextInt(8) == 0) {
            StringBuilder s = new StringBuilder();
            for (byte b : bytes.next(random).value()) {
                s.append('%').append(String.format("%02X", b & 0xff));
            }
            return s.toString();
        }
        if (random.nextInt(8) == 0) {
            return String.valueOf(pick(longs.next(random).value(), ints.next(random).value(), Integer.MAX_VALUE));
        }
        return percentEncode(oddText());
    }

    private String url(Operation op) {
        String path = op.path();
        while (path.contains("{")) {
            int open = path.indexOf('{');
            path = path.substring(0, open) + urlValue() + path.substring(path.indexOf('}', open) + 1);
        }
        StringBuilder url = new StringBuilder(path);
        char sep = '?';
        for (String name : op.query()) {
            if (random.nextInt(3) == 0) {
                url.append(sep).append(name).append('=').append(urlValue());
                sep = '&';
            }
        }
        return url.toString();
    }

    private String body(JsonNode schema) {
        switch (random.nextInt(12)) {
            case 0:
                return oddText();
            case 1:
                return pick("", "null", "[]", "{}", "1", "true", "\"x\"", "{\"a\":", "[".repeat(3000),
                        "{\"a\":1,\"a\":2}", "{\"x\":\"\\ud800\"}", "{\"x\":\"\\u0000\"}");
            default:
                break;
        }
        JsonNode valid = schema == null ? NODES.objectNode() : valid(schema, 0);
        if (valid instanceof ObjectNode object) {
            List<String> fields = new ArrayList<>();
            object.fieldNames().forEachRemaining(fields::add);
            int mutations = 1 + random.nextInt(3);
            for (int i = 0; i < mutations && !fields.isEmpty(); i++) {
                String field = fields.get(random.nextInt(fields.size()));
                if (random.nextInt(5) == 0) {
                    object.remove(field);
                } else {
                    object.set(field, value(pick("string", "integer", "number", "boolean", "object", "array", "null")));
                }
            }
            if (random.nextInt(4) == 0) {
                object.set(percentEncode(oddText()), value("string"));
            }
        }
        return valid.toString();
    }

    /** A body the schema allows, with generated but plausible values. */
    private JsonNode valid(JsonNode schema, int depth) {
        if (schema.has("enum")) {
            JsonNode values = schema.get("enum");
            return values.get(random.nextInt(values.size()));
        }
        String type = schema.path("type").asText(schema.has("properties") ? "object" : "string");
        switch (type) {
            case "object": {
                ObjectNode object = NODES.objectNode();
                if (depth < 4) {
                    schema.path("properties").fields()
                            .forEachRemaining(e -> object.set(e.getKey(), valid(e.getValue(), depth + 1)));
                }
                return object;
            }
            case "array": {
                ArrayNode array = NODES.arrayNode();
                int n = random.nextInt(4);
                for (int i = 0; i < n && depth < 4; i++) {
                    array.add(valid(schema.path("items"), depth + 1));
                }
                return array;
            }
            case "integer":
                return NODES.numberNode(random.nextInt(100));
            case "number":
                return NODES.textNode("100.00");
            case "boolean":
                return NODES.booleanNode(random.nextBoolean());
            default:
                return NODES.textNode("fz-" + random.nextInt(100));
        }
    }

    /** A value of the given JSON type, drawn from the generators. */
    private JsonNode value(String type) {
        return switch (type) {
            case "integer" -> random.nextBoolean() ? NODES.numberNode(longs.next(random).value())
                    : NODES.rawValueNode(new RawValue(pick("1e309", "-0", "123456789012345678901234567890", "1.5e-400")));
            case "number" -> NODES.numberNode(random.nextDouble() * Math.pow(10, random.nextInt(40) - 5));
            case "boolean" -> NODES.booleanNode(random.nextBoolean());
            case "object" -> NODES.objectNode().put(oddText(), oddText());
            case "array" -> NODES.arrayNode().add(oddText()).add(NODES.arrayNode());
            case "null" -> NODES.nullNode();
            default -> NODES.textNode(oddText());
        };
    }

    private String mediaType() {
        return switch (random.nextInt(10)) {
            case 0 -> "text/plain";
            case 1 -> "application/xml";
            case 2 -> "application/json; charset=ISO-8859-1";
            case 3 -> "multipart/form-data; boundary=x";
            default -> "application/json";
        };
    }

    /** A header value a client can send (visible ASCII and spaces; control characters are Netty's to refuse). */
    private String headerValue() {
        String value = random.nextInt(6) == 0 ? "k".repeat(300) : printable.next(random).value().strip();
        return value.isEmpty() ? "k" : value;
    }

    /** Tokens: each role, executors with odd {@code executor_id} claims, forged ones, none. */
    private List<Supplier<String>> callers() {
        String admin = sandbox.devToken("root", List.of("admin"), null);
        String manager = sandbox.devToken("maria", List.of("manager"), null);
        String executor = sandbox.devToken("ivan", List.of("executor"), "crm-ex-1");
        return List.of(() -> admin, () -> admin, () -> manager, () -> manager, () -> executor,
                () -> {
                    Map<String, Object> claims = new LinkedHashMap<>();
                    Object claim = switch (random.nextInt(6)) {
                        case 0 -> longs.next(random).value();
                        case 1 -> List.of(oddText(), "crm-ex-1");
                        case 2 -> Map.of("id", oddText());
                        case 3 -> random.nextBoolean();
                        default -> oddText();
                    };
                    claims.put("executor_id", claim);
                    return sandbox.devTokenWithClaims("odd", List.of("executor"), claims);
                },
                () -> pick("", "x", "a.b.c", "eyJhbGciOiJub25lIn0.eyJzdWIiOiJyb290In0.", printable.next(random).value()),
                () -> null);
    }

    // ------------------------------------------------------------------------------------------ helpers

    @SafeVarargs
    private <T> T pick(T... choices) {
        return choices[random.nextInt(choices.length)];
    }

    private static String percentEncode(String text) {
        StringBuilder s = new StringBuilder();
        for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if (Character.isLetterOrDigit(c) && c < 128 || c == '-' || c == '.' || c == '_' || c == '~') {
                s.append((char) c);
            } else {
                s.append('%').append(String.format("%02X", c));
            }
        }
        return s.toString();
    }

    private static String abbreviate(String text) {
        return text.length() <= 120 ? text : text.substring(0, 120) + "…(" + text.length() + ")";
    }
}
