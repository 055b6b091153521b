package io.madetask.bridge.crm;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.madetask.bridge.common.Backoff;
import io.madetask.bridge.common.SafeContext;
import io.madetask.bridge.common.Signatures;
import io.madetask.bridge.work.LeasedWork;
import io.madetask.bridge.work.WorkerIdentity;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;

/**
 * Delivers notifications to the CRM's callback URL, at least once: claimed in batches with a lease
 * ({@code FOR UPDATE SKIP LOCKED}, so instances share the work), POSTed with no database session open, signed with
 * {@code Bridge-Signature: t=…,v1=…} (the MadeTask scheme), and the outcome recorded on its own. A 2xx answer is a
 * delivery; anything else is tried again with a doubling backoff, and after {@code bridge.notifications.max-attempts}
 * the notification is FAILED: listed for an admin, who can redeliver it.
 */
@ApplicationScoped
public class NotificationSender {

    private static final Logger LOG = Logger.getLogger(NotificationSender.class);

    private final NotificationStore store;
    private final Vertx vertx;
    private final NotificationConfig config;
    private final ObjectMapper json;
    private final MeterRegistry meters;
    private final String instanceId;
    private final LeasedWork<Claimed> pump;
    private HttpClient http;
    private long retentionTimer = -1;

    NotificationSender(NotificationStore store, Vertx vertx, NotificationConfig config, ObjectMapper json,
            MeterRegistry meters, WorkerIdentity identity) {
        this.store = store;
        // every outcome of every type exists (at zero) from start-up, with its HELP text
        for (String type : TYPES) {
            for (String outcome : List.of("delivered", "retry", "failed")) {
                io.micrometer.core.instrument.Counter.builder("bridge.notifications")
                        .description("Deliveries of notifications to the CRM by outcome and type")
                        .tags("outcome", outcome, "type", type).register(meters);
            }
        }
        this.vertx = vertx;
        this.config = config;
        this.json = json;
        this.meters = meters;
        this.instanceId = identity.id();
        this.pump = new LeasedWork<>("Notification sender", config.concurrency(),
                store.queue(instanceId), config.lease(), null,
                limit -> store.claim(instanceId, config.lease(), limit), this::deliver, c -> List.of(c.id()));
    }

    /** The notifications the bridge writes (database triggers, V4). */
    static final List<String> TYPES = List.of("executor.synced", "executor.sync_failed", "task.status_changed",
            "task.sync_failed", "payout.paid", "payout.failed", "batch.completed");

    record Claimed(String id, String type, String data, int attempts, OffsetDateTime createdAt) {
    }

    void start(@Observes StartupEvent event) {
        retentionTimer = vertx.setPeriodic(Duration.ofHours(1).toMillis(), t -> purge());
        int unsent = store.delivery(config.url().isPresent()).await().atMost(Duration.ofSeconds(30));
        if (config.url().isEmpty()) {
            LOG.infof("No CRM callback URL (bridge.notifications.url): notifications are recorded as UNSENT, not sent%s",
                    unsent > 0 ? " (" + unsent + " waiting ones now UNSENT)" : "");
            return;
        }
        if (config.secret().filter(s -> !s.isBlank()).isEmpty()) {
            throw new IllegalStateException("bridge.notifications.url is set but bridge.notifications.secret is not: "
                    + "notifications to the CRM must be signed");
        }
        http = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true)
                .setConnectTimeout((int) config.timeout().toMillis()),
                new PoolOptions().setHttp1MaxSize(Math.max(1, config.concurrency())));
        pump.start(vertx, config.pollInterval());
        LOG.infof("Notification sender started: %d in flight, to %s", config.concurrency(), config.url().get().getHost());
    }

    // Its timers stop with the application; the engine itself stops with all the others (work.WorkShutdown).
    void stop(@Observes ShutdownEvent event) {
        vertx.cancelTimer(retentionTimer);
    }

    /** Whether notifications go to the CRM (a callback URL is configured). */
    public boolean sends() {
        return config.url().isPresent();
    }

    /** Looks for due notifications soon. */
    public void wakeUp() {
        pump.wakeUp();
    }

    /** The body the CRM receives: {@code {id, type, createdAt, data}}. The same bytes on every try. */
    String body(Claimed c) {
        try {
            return json.writeValueAsString(Map.of("id", c.id(), "type", c.type(),
                    "createdAt", c.createdAt().toInstant().toString(), "data", json.readTree(c.data())));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("A notification's data is not JSON", e);
        }
    }

    private Uni<Void> deliver(Claimed c) {
        return SafeContext.start(vertx, Map.of("notificationId", c.id()), () -> deliverNow(c));
    }

    private Uni<Void> deliverNow(Claimed c) {
        URI url = config.url().orElseThrow();
        byte[] body = body(c).getBytes(StandardCharsets.UTF_8);
        String signature = Signatures.sign(config.secret().orElseThrow(), Instant.now().getEpochSecond(), body);
        boolean tls = "https".equalsIgnoreCase(url.getScheme());
        int port = url.getPort() > 0 ? url.getPort() : tls ? 443 : 80;
        String path = url.getRawPath() == null || url.getRawPath().isEmpty() ? "/" : url.getRawPath();
        if (url.getRawQuery() != null) {
            path += "?" + url.getRawQuery();
        }
        RequestOptions request = new RequestOptions().setMethod(HttpMethod.POST).setHost(url.getHost()).setPort(port)
                .setSsl(tls).setURI(path).setIdleTimeout(config.timeout().toMillis())
                .putHeader("Content-Type", "application/json").putHeader("Bridge-Event-Id", c.id())
                .putHeader("Bridge-Event-Type", c.type()).putHeader("Bridge-Signature", signature);
        Uni<Integer> sent = Uni.createFrom().completionStage(() -> http.request(request)
                .compose(req -> req.send(Buffer.buffer(body)))
                .compose(res -> res.body().map(b -> res.statusCode()))
                .toCompletionStage());
        return sent.ifNoItem().after(config.timeout()).fail()
                .flatMap(code -> code >= 200 && code < 300 ? delivered(c, code)
                        : failed(c, code, "The CRM answered " + code))
                .onFailure().recoverWithUni(e -> failed(c, null, describe(e)));
    }

    private Uni<Void> delivered(Claimed c, int code) {
        meters.counter("bridge.notifications", "outcome", "delivered", "type", c.type()).increment();
        return record(c, "DELIVERED", code, null, null);
    }

    private Uni<Void> failed(Claimed c, Integer code, String error) {
        if (c.attempts() >= config.maxAttempts()) {
            meters.counter("bridge.notifications", "outcome", "failed", "type", c.type()).increment();
            LOG.warnf("Notification %s (%s) FAILED after %d tries: %s; listed at /api/v1/notifications?status=FAILED",
                    c.id(), c.type(), c.attempts(), error);
            return record(c, "FAILED", code, error, null);
        }
        meters.counter("bridge.notifications", "outcome", "retry", "type", c.type()).increment();
        LOG.debugf("Notification %s (%s) not delivered, try %d: %s", c.id(), c.type(), c.attempts(), error);
        Duration delay = Backoff.doubling(config.retryInitial(), config.retryMax(), c.attempts());
        return record(c, "PENDING", code, error, OffsetDateTime.now(ZoneOffset.UTC).plus(delay));
    }

    private Uni<Void> record(Claimed c, String status, Integer code, String error, OffsetDateTime next) {
        return store.record(c.id(), status, code, error, next, instanceId)
                .onFailure().invoke(e -> LOG.warnf("Recording notification %s failed (its lease will run out): %s",
                        c.id(), e.toString()))
                .onFailure().recoverWithNull();
    }

    private static String describe(Throwable e) {
        if (e instanceof io.smallrye.mutiny.TimeoutException) {
            return "No answer in time";
        }
        String message = e.getMessage();
        return e.getClass().getSimpleName() + (message == null ? "" : ": " + message);
    }

    private void purge() {
        store.purge(config.url().isEmpty(), config.retention())
                .subscribe().with(n -> {
                    if (n > 0) {
                        LOG.infof("Deleted %d notifications older than %s", n, config.retention());
                    }
                }, e -> LOG.warnf("Deleting old notifications failed: %s", e.toString()));
    }
}
