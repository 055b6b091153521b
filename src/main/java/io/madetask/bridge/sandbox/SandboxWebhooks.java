package io.madetask.bridge.sandbox;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.node.ObjectNode;

import io.madetask.bridge.common.Signatures;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;

/**
 * POSTs events to the registered URL, signed, at least once: a failed or slow delivery is tried again with a doubling
 * delay. The fault knobs can deliver an event twice or hold it back so it arrives out of order.
 */
final class SandboxWebhooks {

    private static final Logger LOG = Logger.getLogger(SandboxWebhooks.class);

    private final Vertx vertx;
    private final HttpClient http;
    private final Supplier<SandboxFaults> faults;
    private volatile String url;
    private volatile String secret;

    final AtomicLong attempts = new AtomicLong();
    final AtomicLong delivered = new AtomicLong();
    final AtomicLong failed = new AtomicLong();
    final AtomicLong pending = new AtomicLong();

    SandboxWebhooks(Vertx vertx, Supplier<SandboxFaults> faults, String url, String secret) {
        this.vertx = vertx;
        this.faults = faults;
        this.url = url;
        this.secret = secret;
        this.http = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true), new PoolOptions().setHttp1MaxSize(16));
    }

    void configure(String newUrl, String newSecret) {
        this.url = newUrl;
        if (newSecret != null) {
            this.secret = newSecret;
        }
    }

    String url() {
        return url;
    }

    String secret() {
        return secret;
    }

    /** Called for every event as it is made. */
    void publish(ObjectNode event) {
        SandboxFaults f = faults.get();
        if (!f.webhooksEnabled || url == null) {
            return;
        }
        byte[] body = event.toString().getBytes(StandardCharsets.UTF_8);
        String id = event.get("id").asText();
        ThreadLocalRandom random = ThreadLocalRandom.current();
        long delay = random.nextDouble() < f.webhookReorderRate ? 1 + random.nextLong(Math.max(1, f.webhookReorderMaxDelayMs)) : 0;
        long now = System.currentTimeMillis();
        schedule(delay, () -> deliver(id, body, 0, now));
        if (random.nextDouble() < f.webhookDuplicateRate) {
            schedule(delay + 1 + random.nextLong(200), () -> deliver(id, body, 0, now));
        }
    }

    private void schedule(long delayMs, Runnable action) {
        pending.incrementAndGet();
        Runnable counted = () -> {
            pending.decrementAndGet();
            action.run();
        };
        if (delayMs <= 0) {
            vertx.runOnContext(v -> counted.run());
        } else {
            vertx.setTimer(delayMs, t -> counted.run());
        }
    }

    private void deliver(String eventId, byte[] body, int attempt, long firstAt) {
        String target = url;
        SandboxFaults f = faults.get();
        if (target == null || !f.webhooksEnabled) {
            return;
        }
        attempts.incrementAndGet();
        String signature = Signatures.sign(secret, Instant.now().getEpochSecond(), body);
        RequestOptions options = new RequestOptions().setMethod(HttpMethod.POST).setAbsoluteURI(target)
                .setTimeout(f.webhookTimeoutMs)
                .putHeader("Content-Type", "application/json")
                .putHeader("MadeTask-Event-Id", eventId)
                .putHeader("MadeTask-Signature", signature);
        http.request(options)
                .compose(request -> request.send(Buffer.buffer(body)))
                .compose(response -> response.body().map(ignored -> response.statusCode()))
                .onComplete(result -> {
                    if (result.succeeded() && result.result() >= 200 && result.result() < 300) {
                        delivered.incrementAndGet();
                        return;
                    }
                    failed.incrementAndGet();
                    if (System.currentTimeMillis() - firstAt > f.webhookGiveUpAfterMs) {
                        LOG.warnf("Webhook %s given up after %d attempts", eventId, attempt + 1);
                        return;
                    }
                    long backoff = Math.min(f.webhookRetryMaxMs, f.webhookRetryBaseMs * (1L << Math.min(attempt, 30)));
                    LOG.debugf("Webhook %s failed (attempt %d), again in %d ms", eventId, attempt + 1, backoff);
                    schedule(backoff, () -> deliver(eventId, body, attempt + 1, firstAt));
                });
    }

    void close() {
        http.close();
    }
}
