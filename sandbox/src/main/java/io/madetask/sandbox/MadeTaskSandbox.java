package io.madetask.sandbox;

import java.math.BigDecimal;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.regex.Pattern;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;

/**
 * The MadeTask sandbox: an in-memory emulator of MadeTask API v1 on its own port, with a control API under
 * {@code /sandbox} (fault knobs, the executor's moves, the ledger) and a dev OIDC issuer under {@code /identity}.
 * Plain Vert.x and no CDI, so tests can start it on a free port before the application and keep it across restarts.
 */
public final class MadeTaskSandbox {

    /** The audience ({@code aud}) of the dev issuer's tokens: the bridge's {@code bridge.security.audience} there. */
    public static final String DEV_AUDIENCE = "madetask-bridge";

    private static final Logger LOG = Logger.getLogger(MadeTaskSandbox.class);
    private static final String JSON = "application/json";
    private static final String PROBLEM_JSON = "application/problem+json";
    private static final String RECEIPT_ISSUER = "ФНС «Мой налог» (sandbox)";
    /** Lifetime of the dev issuer's tokens when none is asked for. */
    private static final long DEV_TOKEN_TTL_SECONDS = 3600;
    private static final List<String> ERROR_FAULTS = List.of("ERROR_500", "ERROR_502", "ERROR_503", "ERROR_504");

    private final Vertx vertx;
    private final SandboxOptions options;
    private final ObjectMapper json = new ObjectMapper();
    private final SandboxStore store;
    private final SandboxWebhooks webhooks;
    private final SandboxIdentity identity = new SandboxIdentity(json);
    private final Map<String, AccessToken> tokens = new ConcurrentHashMap<>();
    private final Map<String, RateLimiter> limiters = new ConcurrentHashMap<>();
    private final Map<String, IdempotencyEntry> idempotency = new ConcurrentHashMap<>();
    private final ArrayDeque<String> scripted = new ArrayDeque<>();
    private final Map<String, AtomicLong> counters = new ConcurrentHashMap<>();
    private volatile SandboxFaults faults;
    private volatile Pattern faultPath;
    private HttpServer server;
    private int port;

    private record AccessToken(String clientId, Instant expiresAt) {
    }

    private record IdempotencyEntry(String fingerprint, JsonNode body, boolean done, int status, String answer) {
    }

    private record Reply(int status, JsonNode body) {
    }

    public MadeTaskSandbox(Vertx vertx, SandboxOptions options) {
        this.vertx = vertx;
        this.options = options;
        this.faults = options.faults().copy();
        this.webhooks = new SandboxWebhooks(vertx, json, () -> faults, options.webhookUrl(), options.webhookSecret());
        this.store = new SandboxStore(json, (delay, action) -> vertx.setTimer(Math.max(1, delay), t -> action.run()),
                webhooks::publish, options.initialBalance(), faults);
        applyFaults(faults);
    }

    /** Starts listening; completes with the port. */
    public Future<Integer> start() {
        Router router = Router.router(vertx);
        router.route().handler(BodyHandler.create().setBodyLimit(16 * 1024 * 1024));
        router.post("/oauth/token").handler(this::token);

        api(router, HttpMethod.POST, "/api/v1/executors", c -> new Reply(201, store.createExecutor(client(c), body(c))));
        api(router, HttpMethod.POST, "/api/v1/executors/bulk",
                c -> new Reply(200, store.createExecutorsBulk(client(c), body(c))));
        api(router, HttpMethod.GET, "/api/v1/executors", c -> new Reply(200, store.listExecutors(client(c), query(c))));
        api(router, HttpMethod.GET, "/api/v1/executors/:id",
                c -> new Reply(200, store.getExecutor(client(c), c.pathParam("id"))));
        api(router, HttpMethod.PATCH, "/api/v1/executors/:id", c -> new Reply(200,
                store.patchExecutor(client(c), c.pathParam("id"), c.request().getHeader("If-Match"), body(c))));
        api(router, HttpMethod.POST, "/api/v1/tasks", c -> new Reply(201, store.createTask(client(c), body(c))));
        api(router, HttpMethod.GET, "/api/v1/tasks", c -> new Reply(200, store.listTasks(client(c), query(c))));
        api(router, HttpMethod.GET, "/api/v1/tasks/:id", c -> new Reply(200, store.getTask(client(c), c.pathParam("id"))));
        api(router, HttpMethod.PATCH, "/api/v1/tasks/:id", c -> new Reply(200,
                store.patchTask(client(c), c.pathParam("id"), c.request().getHeader("If-Match"), body(c))));
        api(router, HttpMethod.POST, "/api/v1/tasks/:id/transitions",
                c -> new Reply(200, store.transitionTask(client(c), c.pathParam("id"), body(c))));
        api(router, HttpMethod.POST, "/api/v1/payouts", c -> new Reply(201, store.createPayout(client(c), body(c))));
        api(router, HttpMethod.GET, "/api/v1/payouts", c -> new Reply(200, store.listPayouts(client(c), query(c))));
        api(router, HttpMethod.GET, "/api/v1/payouts/:id",
                c -> new Reply(200, store.getPayout(client(c), c.pathParam("id"))));
        api(router, HttpMethod.GET, "/api/v1/balance", c -> new Reply(200, store.balance()));
        api(router, HttpMethod.GET, "/api/v1/events", c -> new Reply(200, store.listEvents(
                c.request().getParam("after"), c.request().getParam("cursor"), c.request().getParam("limit"))));
        router.route("/api/v1/*").handler(this::noSuchEndpoint);

        control(router);
        identityRoutes(router);
        router.get("/receipts/:id").handler(c -> reply(c, 200,
                json.createObjectNode().put("receipt", c.pathParam("id")).put("issuer", RECEIPT_ISSUER)));

        server = vertx.createHttpServer(new HttpServerOptions().setHost(options.host()).setPort(options.port()));
        return server.requestHandler(router).listen().map(s -> {
            port = s.actualPort();
            String base = baseUrl();
            identity.issuer(base + "/identity");
            store.receiptBaseUrl(base + "/receipts/");
            LOG.infof("MadeTask sandbox listening on %s (control API at %s/sandbox)", base, base);
            return port;
        });
    }

    public Future<Void> stop() {
        webhooks.close();
        return server == null ? Future.succeededFuture() : server.close();
    }

    public int port() {
        return port;
    }

    public String baseUrl() {
        return "http://" + ("0.0.0.0".equals(options.host()) ? "localhost" : options.host()) + ":" + port;
    }

    public String issuer() {
        return identity.issuer();
    }

    // ---------------------------------------------------------------- the API gate

    private void api(Router router, HttpMethod method, String path, Function<RoutingContext, Reply> action) {
        router.route(method, path).handler(c -> gate(c, action));
    }

    private void gate(RoutingContext c, Function<RoutingContext, Reply> action) {
        String requestId = c.request().getHeader("X-Request-Id");
        if (requestId == null || requestId.isBlank()) {
            requestId = "req_" + UUID.randomUUID();
        }
        c.put("requestId", requestId);
        c.response().putHeader("X-Request-Id", requestId);
        count("requests");
        String clientId = authenticate(c);
        if (clientId == null) {
            count("unauthorized");
            problem(c, new SandboxProblem(401, "invalid_token", "A valid bearer token is required"));
            return;
        }
        c.put("clientId", clientId);
        SandboxFaults f = faults;
        long retryAfter = f.rateLimitEnabled
                ? limiters.computeIfAbsent(clientId, k -> new RateLimiter()).acquire(f.rateLimitPerSecond, f.rateLimitBurst)
                : 0;
        if (retryAfter > 0) {
            rateLimited(c, retryAfter);
            return;
        }
        String fault = decideFault(c, f);
        if ("RATE_LIMITED".equals(fault)) {
            rateLimited(c, 1);
            return;
        }
        boolean post = c.request().method() == HttpMethod.POST;
        String key = null;
        if (post) {
            key = c.request().getHeader("Idempotency-Key");
            if (key == null || key.isEmpty() || key.length() > 255) {
                problem(c, new SandboxProblem(400, "idempotency_key_required",
                        "POST needs an Idempotency-Key of 1 to 255 characters",
                        List.of(Map.of("field", "Idempotency-Key", "message", "1 to 255 characters")), null));
                return;
            }
            JsonNode body;
            try {
                body = body(c);
            } catch (SandboxProblem p) {
                problem(c, p);
                return;
            }
            String storeKey = clientId + "\n" + key;
            String fingerprint = c.request().path();
            IdempotencyEntry fresh = new IdempotencyEntry(fingerprint, body, false, 0, null);
            IdempotencyEntry existing = idempotency.putIfAbsent(storeKey, fresh);
            if (existing != null) {
                if (!existing.fingerprint().equals(fingerprint) || !Objects.equals(existing.body(), body)) {
                    problem(c, new SandboxProblem(422, "idempotency_key_reused",
                            "This Idempotency-Key was used with another request"));
                } else if (!existing.done()) {
                    problem(c, new SandboxProblem(409, "idempotency_key_in_use",
                            "A request with this Idempotency-Key is still being processed"));
                } else {
                    later(f, () -> {
                        if (injectFailure(c, f, fault, null)) {
                            return;
                        }
                        count("idempotent_replays");
                        if ("LOST_ANSWER".equals(fault)) {
                            count("faults_lost_answer");
                            lose(c);
                            return;
                        }
                        c.response().putHeader("Idempotent-Replayed", "true");
                        answer(c, existing.status(), existing.answer());
                    });
                }
                return;
            }
            key = storeKey;
        }
        String idemKey = key;
        later(f, () -> {
            if (injectFailure(c, f, fault, idemKey)) {
                return;
            }
            Reply reply;
            try {
                reply = action.apply(c);
            } catch (SandboxProblem p) {
                reply = new Reply(p.status, p.body(c.get("requestId")));
            } catch (RuntimeException e) {
                LOG.error("Sandbox failure", e);
                SandboxProblem failure = new SandboxProblem(500, "server_error", "Sandbox failure");
                reply = new Reply(500, failure.body(c.get("requestId")));
            }
            String answer = write(reply.body());
            if (idemKey != null) {
                int status = reply.status();
                idempotency.computeIfPresent(idemKey,
                        (k, e) -> new IdempotencyEntry(e.fingerprint(), e.body(), true, status, answer));
            }
            count("status_" + reply.status());
            if ("LOST_ANSWER".equals(fault)) {
                count("faults_lost_answer");
                lose(c);
                return;
            }
            answer(c, reply.status(), answer);
        });
    }

    /**
     * Answers an injected 5xx, or holds the request as a timeout: for {@code timeoutHangMs} with no answer at all, then
     * its connection is closed. Neither is applied (an Idempotency-Key it reserved is given back). False when there is
     * no such fault.
     */
    private boolean injectFailure(RoutingContext c, SandboxFaults f, String fault, String idemKey) {
        if ("UNAVAILABLE".equals(fault) || "ERROR_503".equals(fault)) {
            forget(idemKey);
            count("UNAVAILABLE".equals(fault) ? "faults_unavailable" : "faults_error");
            c.response().putHeader("Retry-After", Integer.toString(Math.max(0, f.retryAfterSeconds)));
            problem(c, new SandboxProblem(503, "service_unavailable", "MadeTask is unavailable, retry later"));
            return true;
        }
        if (fault != null && fault.startsWith("ERROR_")) {
            forget(idemKey);
            int status = Integer.parseInt(fault.substring(6));
            count("faults_error");
            problem(c, new SandboxProblem(status, "server_error", "Injected server error"));
            return true;
        }
        if ("TIMEOUT".equals(fault)) {
            forget(idemKey);
            count("faults_timeout");
            HttpConnection connection = c.request().connection();
            vertx.setTimer(Math.max(1, f.timeoutHangMs), t -> connection.close());
            return true;
        }
        return false;
    }

    private void forget(String idemKey) {
        if (idemKey != null) {
            idempotency.remove(idemKey);
        }
    }

    private void later(SandboxFaults f, Runnable action) {
        long delay = f.latencyMs + (f.jitterMs > 0 ? ThreadLocalRandom.current().nextLong(f.jitterMs + 1) : 0);
        if (delay <= 0) {
            action.run();
        } else {
            vertx.setTimer(delay, t -> action.run());
        }
    }

    private void lose(RoutingContext c) {
        c.request().connection().close();
    }

    private String decideFault(RoutingContext c, SandboxFaults f) {
        Pattern only = faultPath;
        if (only != null && !only.matcher(c.request().method().name() + " " + c.request().path()).matches()) {
            return null;
        }
        synchronized (scripted) {
            String next = scripted.poll();
            if (next != null) {
                return next;
            }
        }
        ThreadLocalRandom random = ThreadLocalRandom.current();
        double roll = random.nextDouble();
        if (roll < f.errorRate) {
            return ERROR_FAULTS.get(random.nextInt(ERROR_FAULTS.size()));
        }
        if (roll < f.errorRate + f.timeoutRate) {
            return "TIMEOUT";
        }
        if (roll < f.errorRate + f.timeoutRate + f.lostAnswerRate) {
            return "LOST_ANSWER";
        }
        if (roll < f.errorRate + f.timeoutRate + f.lostAnswerRate + f.unavailableRate) {
            return "UNAVAILABLE";
        }
        return null;
    }

    private void rateLimited(RoutingContext c, long retryAfterSeconds) {
        count("rate_limited");
        c.response().putHeader("Retry-After", Long.toString(retryAfterSeconds));
        problem(c, new SandboxProblem(429, "rate_limited", "Too many requests"));
    }

    private String authenticate(RoutingContext c) {
        String header = c.request().getHeader("Authorization");
        if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return null;
        }
        AccessToken token = tokens.get(header.substring(7).trim());
        if (token == null || token.expiresAt().isBefore(Instant.now())) {
            return null;
        }
        return token.clientId();
    }

    // ---------------------------------------------------------------- OAuth2

    private void token(RoutingContext c) {
        String clientId = c.request().getFormAttribute("client_id");
        String secret = c.request().getFormAttribute("client_secret");
        String basic = c.request().getHeader("Authorization");
        if (basic != null && basic.regionMatches(true, 0, "Basic ", 0, 6)) {
            try {
                String[] pair = new String(Base64.getDecoder().decode(basic.substring(6).trim()), StandardCharsets.UTF_8)
                        .split(":", 2);
                clientId = URLDecoder.decode(pair[0], StandardCharsets.UTF_8);
                secret = pair.length > 1 ? URLDecoder.decode(pair[1], StandardCharsets.UTF_8) : null;
            } catch (IllegalArgumentException e) {
                clientId = null;
            }
        }
        if (!"client_credentials".equals(c.request().getFormAttribute("grant_type"))) {
            reply(c, 400, oauthError("unsupported_grant_type"));
            return;
        }
        if (clientId == null || secret == null || !secret.equals(options.clients().get(clientId))) {
            count("token_refused");
            reply(c, 401, oauthError("invalid_client"));
            return;
        }
        String value = "mt_" + UUID.randomUUID().toString().replace("-", "")
                + UUID.randomUUID().toString().replace("-", "");
        long ttl = options.tokenTtl().toSeconds();
        tokens.put(value, new AccessToken(clientId, Instant.now().plusSeconds(ttl)));
        count("tokens_issued");
        c.response().setStatusCode(200).putHeader("Content-Type", JSON).putHeader("Cache-Control", "no-store")
                .end(write(tokenAnswer(value, ttl)));
    }

    /** An OAuth2 error answer (RFC 6749 5.2), plain JSON rather than problem+json. */
    private ObjectNode oauthError(String error) {
        return json.createObjectNode().put("error", error);
    }

    /** What both token endpoints answer: the token, Bearer, and its lifetime in seconds. */
    private ObjectNode tokenAnswer(String token, long ttlSeconds) {
        return json.createObjectNode().put("access_token", token).put("token_type", "Bearer")
                .put("expires_in", ttlSeconds);
    }

    // ---------------------------------------------------------------- control API

    private void control(Router router) {
        router.get("/sandbox/faults").handler(c -> reply(c, 200, json.valueToTree(faults)));
        router.put("/sandbox/faults").handler(c -> {
            try {
                SandboxFaults updated = json.readerForUpdating(faults.copy()).readValue(c.body().asString());
                applyFaults(updated);
                reply(c, 200, json.valueToTree(faults));
            } catch (JsonProcessingException | RuntimeException e) {
                problem(c, SandboxProblem.invalid("body", "not a fault knob document"));
            }
        });
        router.post("/sandbox/reset").handler(c -> {
            reset();
            noContent(c);
        });
        router.post("/sandbox/executors/:id/register")
                .handler(c -> control(c, () -> store.completeRegistration(c.pathParam("id"))));
        router.post("/sandbox/tasks/:id/:move")
                .handler(c -> control(c, () -> store.executorMove(c.pathParam("id"), c.pathParam("move"))));
        router.post("/sandbox/payouts/:id/settle").handler(c -> control(c, () -> {
            JsonNode body = body(c);
            String failure = SandboxStore.text(body, "failure_code");
            return store.settleNow(c.pathParam("id"), failure);
        }));
        router.get("/sandbox/ledger").handler(c -> reply(c, 200, store.ledger()));
        router.get("/sandbox/stats").handler(c -> reply(c, 200, stats()));
        router.post("/sandbox/tokens/expire").handler(c -> {
            expireTokens();
            noContent(c);
        });
        router.put("/sandbox/webhook").handler(c -> control(c, () -> {
            JsonNode body = body(c);
            webhooks.configure(SandboxStore.text(body, "url"), SandboxStore.text(body, "secret"));
            return json.createObjectNode().put("url", webhooks.url());
        }));
        router.put("/sandbox/balance").handler(c -> control(c, () -> {
            String amount = SandboxStore.text(body(c), "available");
            if (amount == null || !SandboxRules.isAmount(amount)) {
                throw SandboxProblem.invalid("available", "an amount like 1500.00");
            }
            store.setAvailable(new BigDecimal(amount));
            return store.balance();
        }));
        router.route("/sandbox/*").handler(this::noSuchEndpoint);
    }

    private void control(RoutingContext c, Supplier<JsonNode> action) {
        try {
            reply(c, 200, action.get());
        } catch (SandboxProblem p) {
            problem(c, p);
        }
    }

    private void identityRoutes(Router router) {
        router.get("/identity/.well-known/openid-configuration").handler(c -> reply(c, 200, identity.discovery()));
        router.get("/identity/jwks").handler(c -> reply(c, 200, identity.jwks()));
        router.post("/identity/token").handler(c -> {
            List<String> roles = c.request().formAttributes().getAll("role").stream()
                    .flatMap(r -> Arrays.stream(r.split(","))).map(String::trim).filter(r -> !r.isEmpty())
                    .toList();
            if (roles.isEmpty()) {
                problem(c, SandboxProblem.invalid("role", "admin, manager or executor"));
                return;
            }
            String executorId = c.request().getFormAttribute("executor_id");
            String subject = c.request().getFormAttribute("sub");
            if (subject == null || subject.isBlank()) {
                subject = executorId != null ? executorId : roles.get(0) + "@example.com";
            }
            long ttl = DEV_TOKEN_TTL_SECONDS;
            try {
                String given = c.request().getFormAttribute("ttl");
                ttl = given == null ? ttl : Math.max(1, Long.parseLong(given));
            } catch (NumberFormatException e) {
                // the default stands
            }
            reply(c, 200, tokenAnswer(identity.token(subject, roles, executorId, ttl), ttl));
        });
    }

    // ---------------------------------------------------------------- direct control, for tests in the same JVM

    public void applyFaults(SandboxFaults updated) {
        this.faults = updated;
        this.faultPath = updated.faultPathRegex == null || updated.faultPathRegex.isBlank() ? null
                : Pattern.compile(updated.faultPathRegex);
        synchronized (scripted) {
            scripted.clear();
            scripted.addAll(updated.scripted);
        }
        updated.scripted = new ArrayList<>();
        store.faults(updated);
    }

    public SandboxFaults faults() {
        return faults.copy();
    }

    public void reset() {
        store.reset();
        idempotency.clear();
        limiters.clear();
        counters.clear();
        applyFaults(options.faults().copy());
        webhooks.configure(options.webhookUrl(), options.webhookSecret());
    }

    public void expireTokens() {
        tokens.clear();
    }

    public void configureWebhook(String url, String secret) {
        webhooks.configure(url, secret);
    }

    public String webhookSecret() {
        return webhooks.secret();
    }

    public ObjectNode ledger() {
        return store.ledger();
    }

    public ObjectNode stats() {
        ObjectNode n = json.createObjectNode();
        new TreeMap<>(counters).forEach((k, v) -> n.put(k, v.get()));
        n.put("events", store.eventCount());
        n.put("webhook_attempts", webhooks.attempts.get());
        n.put("webhook_delivered", webhooks.delivered.get());
        n.put("webhook_failed", webhooks.failed.get());
        n.put("webhook_pending", webhooks.pending.get());
        return n;
    }

    public long counter(String name) {
        AtomicLong value = counters.get(name);
        return value == null ? 0 : value.get();
    }

    public ObjectNode completeRegistration(String executorId) {
        return store.completeRegistration(executorId);
    }

    public ObjectNode executorMove(String taskId, String move) {
        return store.executorMove(taskId, move);
    }

    /** Every executor MadeTask has under this external id: exactly one when the bridge did its job. */
    public List<ObjectNode> executorsByExternalId(String externalId) {
        return store.executorsByExternalId(externalId);
    }

    public List<ObjectNode> tasksByExternalId(String externalId) {
        return store.tasksByExternalId(externalId);
    }

    public String devToken(String subject, List<String> roles, String executorId) {
        return identity.token(subject, roles, executorId, DEV_TOKEN_TTL_SECONDS);
    }

    /** A dev token with further claims exactly as given: how tests hand the bridge odd claim values. */
    public String devTokenWithClaims(String subject, List<String> roles, Map<String, Object> claims) {
        return identity.token(subject, roles, claims, DEV_TOKEN_TTL_SECONDS);
    }

    // ---------------------------------------------------------------- plumbing

    private void count(String name) {
        counters.computeIfAbsent(name, k -> new AtomicLong()).incrementAndGet();
    }

    private String client(RoutingContext c) {
        return c.get("clientId");
    }

    private JsonNode body(RoutingContext c) {
        String raw = c.body() == null ? null : c.body().asString();
        if (raw == null || raw.isBlank()) {
            return json.createObjectNode();
        }
        try {
            return json.readTree(raw);
        } catch (JsonProcessingException e) {
            throw new SandboxProblem(400, "malformed_json", "The body is not valid JSON");
        }
    }

    private static Map<String, String> query(RoutingContext c) {
        Map<String, String> query = new HashMap<>();
        c.queryParams().forEach(e -> query.putIfAbsent(e.getKey(), e.getValue()));
        return query;
    }

    /** A JSON answer. */
    private void reply(RoutingContext c, int status, JsonNode body) {
        send(c, status, JSON, write(body));
    }

    /** A refusal: its problem+json, with the request id of the API gate (null outside it). */
    private void problem(RoutingContext c, SandboxProblem p) {
        send(c, p.status, PROBLEM_JSON, write(p.body(c.get("requestId"))));
    }

    private void noSuchEndpoint(RoutingContext c) {
        problem(c, new SandboxProblem(404, "not_found", "No such endpoint"));
    }

    /** An API answer already written (it may be a replay): problem+json from 400 on, JSON below. */
    private static void answer(RoutingContext c, int status, String written) {
        send(c, status, status >= 400 ? PROBLEM_JSON : JSON, written);
    }

    private static void send(RoutingContext c, int status, String contentType, String written) {
        c.response().setStatusCode(status).putHeader("Content-Type", contentType).end(written);
    }

    private static void noContent(RoutingContext c) {
        c.response().setStatusCode(204).end();
    }

    /** Every JSON the sandbox answers is written here, by Jackson. */
    private String write(JsonNode body) {
        try {
            return json.writeValueAsString(body);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("Cannot write an answer", e);
        }
    }

    /** A per-client token bucket. */
    private static final class RateLimiter {
        private double tokens = -1;
        private long last = System.nanoTime();

        /** Takes a token; answers 0, or the whole seconds to wait when there is none. */
        synchronized long acquire(double rate, int burst) {
            long now = System.nanoTime();
            if (tokens < 0) {
                tokens = burst;
            }
            tokens = Math.min(burst, tokens + (now - last) / 1e9 * rate);
            last = now;
            if (tokens >= 1) {
                tokens -= 1;
                return 0;
            }
            return Math.max(1, (long) Math.ceil((1 - tokens) / rate));
        }
    }
}
