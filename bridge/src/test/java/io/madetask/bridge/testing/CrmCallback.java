package io.madetask.bridge.testing;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.madetask.bridge.common.Signatures;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;

/**
 * The CRM's callback endpoint, on a free port in the test JVM: it checks each notification's {@code Bridge-Signature},
 * keeps what it received, and answers 503 while told to fail. The bridge under test is pointed at it.
 */
public class CrmCallback implements QuarkusTestResourceLifecycleManager {

    public static final String SECRET = "crm-callback-secret";

    /** One POST the CRM received. */
    public record Received(String eventId, Signatures.Verdict signature, JsonNode body) {
    }

    public static final List<Received> RECEIVED = new CopyOnWriteArrayList<>();
    /** Requests still to be refused with 503. */
    public static final AtomicInteger FAIL_NEXT = new AtomicInteger();
    /** Refuse everything with 503 while set. */
    public static final AtomicBoolean FAIL_ALWAYS = new AtomicBoolean();
    public static final AtomicInteger REFUSED = new AtomicInteger();

    private static final ObjectMapper JSON = new ObjectMapper();

    /** Takes every notification again: no refusals left, and none from now on. */
    public static void healthy() {
        FAIL_ALWAYS.set(false);
        FAIL_NEXT.set(0);
    }

    private Vertx vertx;
    private HttpServer server;

    @Override
    public Map<String, String> start() {
        vertx = Vertx.vertx();
        server = vertx.createHttpServer().requestHandler(req -> req.body().onSuccess(body -> {
            if (FAIL_ALWAYS.get() || FAIL_NEXT.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                REFUSED.incrementAndGet();
                req.response().setStatusCode(503).end();
                return;
            }
            try {
                Signatures.Verdict verdict = Signatures.verify(SECRET, req.getHeader("Bridge-Signature"),
                        body.getBytes(), Instant.now(), Duration.ofMinutes(5));
                RECEIVED.add(new Received(req.getHeader("Bridge-Event-Id"), verdict,
                        JSON.readTree(body.toString(StandardCharsets.UTF_8))));
                req.response().setStatusCode(204).end();
            } catch (Exception e) {
                req.response().setStatusCode(400).end();
            }
        })).listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().join();
        return Map.of("bridge.notifications.url", "http://127.0.0.1:" + server.actualPort() + "/crm/events",
                "bridge.notifications.secret", SECRET);
    }

    @Override
    public void stop() {
        if (vertx != null) {
            vertx.close().toCompletionStage().toCompletableFuture().join();
        }
    }
}
