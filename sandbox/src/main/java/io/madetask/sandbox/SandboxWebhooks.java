package io.madetask.sandbox;

import java.time.Instant;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;

/**
 * POSTs events to the registered URL, signed, at least once: a non-2xx answer, a failed connection or an answer slower
 * than {@code webhookTimeoutMs} is tried again after 1 x, 2 x, 4 x ... {@code webhookRetryBaseMs} (up to
 * {@code webhookRetryMaxMs}), until {@code webhookGiveUpAfterMs} after the first try. The fault knobs can deliver an
 * event twice or hold it back so it arrives out of order: each event is scheduled on its own, with nothing that keeps
 * the events of one object in order, so an older version of an object can arrive after a newer one.
 *
 * <p>Memory: there is no queue. Each event waiting for its (next) try is one timer holding its body (two for a
 * duplicate), an attempt in flight holds it in place of that timer; what is held is bounded by the events not yet
 * delivered.
 */
final class SandboxWebhooks {

    private static final Logger LOG = Logger.getLogger(SandboxWebhooks.class);

    private final Vertx vertx;
    private final ObjectMapper json;
    private final HttpClient http;
    private final Supplier<SandboxFaults> faults;
    private volatile String url;
    private volatile String secret;

    final AtomicLong attempts = new AtomicLong();
    final AtomicLong delivered = new AtomicLong();
    final AtomicLong failed = new AtomicLong();
    final AtomicLong pending = new AtomicLong();

    SandboxWebhooks(Vertx vertx, ObjectMapper json, Supplier<SandboxFaults> faults, String url, String secret) {
        this.vertx = vertx;
        this.json = json;
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
        byte[] body;
        try {
            body = json.writeValueAsBytes(event);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("Cannot write the event " + event.get("id"), e);
        }
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
        String signature = SandboxRules.signature(secret, Instant.now().getEpochSecond(), body);
        long timeoutMs = Math.max(1, f.webhookTimeoutMs);
        RequestOptions options = new RequestOptions().setMethod(HttpMethod.POST).setAbsoluteURI(target)
                .setConnectTimeout(timeoutMs)
                .setIdleTimeout(timeoutMs)
                .putHeader("Content-Type", "application/json")
                .putHeader("MadeTask-Event-Id", eventId)
                .putHeader("MadeTask-Signature", signature);
        // The whole answer must come within the timeout, waiting for a connection included: a receiver that trickles
        // its answer out, or one whose connections are all busy, fails the attempt like one that answers 500, and an
        // attempt that timed out leaves nothing behind in the connection pool's wait queue.
        Promise<Integer> outcome = Promise.promise();
        AtomicReference<HttpClientRequest> sent = new AtomicReference<>();
        long deadline = vertx.setTimer(timeoutMs, t -> {
            if (outcome.tryFail("no answer within " + timeoutMs + " ms")) {
                HttpClientRequest request = sent.get();
                if (request != null) {
                    request.reset();
                }
            }
        });
        http.request(options)
                .compose(request -> {
                    if (outcome.future().isComplete()) {
                        request.reset(); // the attempt timed out while waiting for a connection: it is not sent late
                        return Future.failedFuture("timed out before it was sent");
                    }
                    sent.set(request);
                    return request.send(Buffer.buffer(body));
                })
                .compose(response -> response.body().map(ignored -> response.statusCode()))
                .onComplete(result -> {
                    if (result.succeeded()) {
                        outcome.tryComplete(result.result());
                    } else {
                        outcome.tryFail(result.cause());
                    }
                });
        outcome.future().onComplete(result -> {
            vertx.cancelTimer(deadline);
            if (result.succeeded() && result.result() >= 200 && result.result() < 300) {
                delivered.incrementAndGet();
                return;
            }
            failed.incrementAndGet();
            if (System.currentTimeMillis() - firstAt > f.webhookGiveUpAfterMs) {
                LOG.warnf("Webhook %s given up after %d attempts", eventId, attempt + 1);
                return;
            }
            long backoff = backoffMs(f, attempt);
            LOG.debugf("Webhook %s failed (attempt %d), again in %d ms", eventId, attempt + 1, backoff);
            schedule(backoff, () -> deliver(eventId, body, attempt + 1, firstAt));
        });
    }

    /** The wait after the given failed attempt (0 for the first): base, 2 x base, 4 x base ... up to the maximum. */
    static long backoffMs(SandboxFaults f, int attempt) {
        return Math.min(f.webhookRetryMaxMs, f.webhookRetryBaseMs * (1L << Math.min(attempt, 30)));
    }

    void close() {
        http.close();
    }
}
