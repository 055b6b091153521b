package io.madetask.bridge.madetask;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.util.TypeLiteral;
import jakarta.ws.rs.ProcessingException;

import org.eclipse.microprofile.faulttolerance.exceptions.CircuitBreakerOpenException;
import org.eclipse.microprofile.rest.client.inject.RestClient;
import org.jboss.logging.Logger;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.madetask.bridge.common.Gauges;
import io.smallrye.faulttolerance.api.CircuitBreakerMaintenance;
import io.smallrye.faulttolerance.api.CircuitBreakerState;
import io.smallrye.faulttolerance.api.TypedGuard;
import io.smallrye.mutiny.Uni;
import io.vertx.core.VertxException;

/**
 * The one way into MadeTask. Each call gets a bearer token (renewed before expiry; a 401 renews it and tries once
 * more), a deadline per attempt, and retries with exponential backoff and jitter on answers that may pass (5xx,
 * timeouts, lost connections, 429 and 503 after their {@code Retry-After}). The circuit breaker named {@value #BREAKER}
 * judges whole calls, after their retries: transient faults that a retry gets past slow the bridge down but never trip
 * it, while a MadeTask that fails every call trips it within one call's retries. POSTs carry the caller's idempotency
 * key, the same on every retry, so a retry never acts twice.
 */
@ApplicationScoped
public class MadeTaskClient {

    /** Name of the circuit breaker, for {@link CircuitBreakerMaintenance}. */
    public static final String BREAKER = "madetask";

    private static final Logger LOG = Logger.getLogger(MadeTaskClient.class);

    private final MadeTaskRestClient api;
    private final MadeTaskTokens tokens;
    private final MadeTaskConfig config;
    private final TypedGuard<Uni<Object>> breaker;
    private final MadeTaskPacer pacer;
    private final MeterRegistry meters;
    private final Counter rateLimited;
    private final AtomicReference<Reachability> reachability = new AtomicReference<>(
            new Reachability(null, null, null));
    /** When the breaker last opened (epoch millis), or 0 while it is not open. */
    private final AtomicLong openedAt = new AtomicLong();

    /**
     * What this instance last heard from MadeTask: the last answer of any kind (a refusal is an answer too), and the
     * last call that got no answer (5xx, timeout, lost connection), with why.
     */
    public record Reachability(Instant lastAnswerAt, Instant lastFailureAt, String lastFailure) {

        /** Reachable unless the latest word from MadeTask is a failure (unknown before the first call). */
        public Boolean reachable() {
            if (lastAnswerAt == null && lastFailureAt == null) {
                return null;
            }
            return lastFailureAt == null || (lastAnswerAt != null && lastAnswerAt.isAfter(lastFailureAt));
        }
    }

    MadeTaskClient(@RestClient MadeTaskRestClient api, MadeTaskTokens tokens, MadeTaskConfig config,
            MeterRegistry meters) {
        this.api = api;
        this.tokens = tokens;
        this.config = config;
        this.meters = meters;
        // every operation's calls and retries exist (at zero) from start-up, with their HELP text
        for (String operation : OPERATIONS) {
            for (String outcome : List.of("success", "refused", "unavailable", "circuit_open", "error")) {
                calls(operation, outcome);
            }
            for (String reason : List.of("timeout", "connection_failed", "rate_limited", "server_error",
                    "service_unavailable")) {
                retries(operation, reason);
            }
        }
        this.rateLimited = Counter.builder("bridge.madetask.rate.limited")
                .description("429 answers from MadeTask (each is waited out and retried)").register(meters);
        Gauges.register(meters, "bridge.madetask.circuit.state", Tags.empty(),
                "The circuit breaker in front of MadeTask: 0 closed, 1 half-open, 2 open", null,
                () -> switch (CircuitBreakerMaintenance.get().currentState(BREAKER)) {
                    case CLOSED -> 0;
                    case HALF_OPEN -> 1;
                    case OPEN -> 2;
                });
        this.pacer = new MadeTaskPacer(config.paceRate(), config.paceBurst());
        Counter opened = Counter.builder("bridge.madetask.circuit.opened")
                .description("Times the circuit breaker in front of MadeTask opened").register(meters);
        MadeTaskConfig.Breaker b = config.breaker();
        this.breaker = TypedGuard.create(new TypeLiteral<Uni<Object>>() {
        })
                .withDescription("MadeTask API")
                .withCircuitBreaker()
                .name(BREAKER)
                .requestVolumeThreshold(b.requestVolume())
                .failureRatio(b.failureRatio())
                .delay(b.delay().toMillis(), ChronoUnit.MILLIS)
                .successThreshold(b.successThreshold())
                .when(MadeTaskClient::countsAgainstBreaker)
                .onStateChange(state -> {
                    openedAt.set(state == CircuitBreakerState.OPEN ? System.currentTimeMillis() : 0);
                    if (state == CircuitBreakerState.OPEN) {
                        opened.increment();
                    }
                    LOG.infof("MadeTask circuit breaker %s", state);
                })
                .done()
                .build();
    }

    // ---------------------------------------------------------------- executors

    public Uni<MadeTaskModel.Executor> createExecutor(MadeTaskModel.ExecutorCreate body, String idempotencyKey) {
        return call("executor.create", (auth, rid) -> api.createExecutor(auth, key(idempotencyKey), rid, body));
    }

    /** Up to 500 executors in one call; each item answers on its own. */
    public Uni<MadeTaskModel.BulkResponse> createExecutors(List<MadeTaskModel.ExecutorCreate> items,
            String idempotencyKey) {
        return call("executor.bulk",
                (auth, rid) -> api.createExecutors(auth, key(idempotencyKey), rid, new MadeTaskModel.BulkRequest(items)));
    }

    public Uni<MadeTaskModel.Executor> getExecutor(String id) {
        return call("executor.get", (auth, rid) -> api.getExecutor(auth, rid, id));
    }

    public Uni<MadeTaskModel.Page<MadeTaskModel.Executor>> listExecutors(MadeTaskModel.ListQuery q) {
        return call("executor.list", (auth, rid) -> api.listExecutors(auth, rid, q.updatedSince(), q.externalId(),
                q.cursor(), q.limit()));
    }

    /** A PATCH is guarded by the version: a retry after a lost answer gets {@code version_mismatch}, never a second change. */
    public Uni<MadeTaskModel.Executor> patchExecutor(String id, long version, MadeTaskModel.ExecutorPatch patch) {
        return call("executor.patch", (auth, rid) -> api.patchExecutor(auth, rid, Long.toString(version), id, patch));
    }

    // ---------------------------------------------------------------- tasks

    public Uni<MadeTaskModel.Task> createTask(MadeTaskModel.TaskCreate body, String idempotencyKey) {
        return call("task.create", (auth, rid) -> api.createTask(auth, key(idempotencyKey), rid, body));
    }

    public Uni<MadeTaskModel.Task> getTask(String id) {
        return call("task.get", (auth, rid) -> api.getTask(auth, rid, id));
    }

    public Uni<MadeTaskModel.Page<MadeTaskModel.Task>> listTasks(MadeTaskModel.ListQuery q) {
        return call("task.list", (auth, rid) -> api.listTasks(auth, rid, q.updatedSince(), q.externalId(),
                q.status(), q.cursor(), q.limit()));
    }

    public Uni<MadeTaskModel.Task> patchTask(String id, long version, MadeTaskModel.TaskPatch patch) {
        return call("task.patch", (auth, rid) -> api.patchTask(auth, rid, Long.toString(version), id, patch));
    }

    public Uni<MadeTaskModel.Task> transitionTask(String id, MadeTaskModel.Transition transition,
            String idempotencyKey) {
        return call("task.transition",
                (auth, rid) -> api.transitionTask(auth, key(idempotencyKey), rid, id, transition));
    }

    // ---------------------------------------------------------------- payouts, balance, events

    public Uni<MadeTaskModel.Payout> createPayout(MadeTaskModel.PayoutCreate body, String idempotencyKey) {
        return call("payout.create", (auth, rid) -> api.createPayout(auth, key(idempotencyKey), rid, body));
    }

    public Uni<MadeTaskModel.Payout> getPayout(String id) {
        return call("payout.get", (auth, rid) -> api.getPayout(auth, rid, id));
    }

    public Uni<MadeTaskModel.Page<MadeTaskModel.Payout>> listPayouts(MadeTaskModel.ListQuery q) {
        return call("payout.list", (auth, rid) -> api.listPayouts(auth, rid, q.taskId(), q.status(),
                q.updatedSince(), q.cursor(), q.limit()));
    }

    public Uni<MadeTaskModel.Balance> balance() {
        return call("balance.get", api::balance);
    }

    /**
     * A page of the event log, in log order: the first one after the given event (from the start when null), or the
     * page a {@code next_cursor} names (then {@code after} is not sent). Ids and cursors are opaque: never compared.
     */
    public Uni<MadeTaskModel.Page<MadeTaskModel.Event>> events(String after, String cursor, int limit) {
        return call("event.list", (auth, rid) -> api.events(auth, rid, cursor == null ? after : null, cursor, limit));
    }

    /** The state of the circuit breaker in front of MadeTask. */
    public CircuitBreakerState breakerState() {
        return CircuitBreakerMaintenance.get().currentState(BREAKER);
    }

    /**
     * How much work that calls MadeTask may be in flight now, per work queue: no limit while the breaker is closed;
     * none while it is open, until its delay is over; then only as many as the trial calls that close it again, until
     * they have. Work queues stop claiming while this is 0, so an outage charges no tries to their items.
     */
    public int callBudget() {
        CircuitBreakerState state = breakerState();
        if (state == CircuitBreakerState.CLOSED) {
            return Integer.MAX_VALUE;
        }
        long opened = openedAt.get();
        if (state == CircuitBreakerState.OPEN && opened != 0
                && System.currentTimeMillis() - opened < config.breaker().delay().toMillis()) {
            return 0;
        }
        return Math.max(1, config.breaker().successThreshold());
    }

    /** Whether work that calls MadeTask may be started now at all (see {@link #callBudget()}). */
    public boolean acceptingCalls() {
        return callBudget() > 0;
    }

    // ---------------------------------------------------------------- the policy

    @FunctionalInterface
    interface Invocation<T> {
        Uni<T> invoke(String authorization, String requestId);
    }

    /** What this instance last heard from MadeTask. */
    public Reachability reachability() {
        return reachability.get();
    }

    @SuppressWarnings("unchecked")
    /** Every operation {@link #call} is made with: the meters' label values. */
    static final List<String> OPERATIONS = List.of("executor.create", "executor.bulk", "executor.get",
            "executor.list", "executor.patch", "task.create", "task.get", "task.list", "task.patch", "task.transition",
            "payout.create", "payout.get", "payout.list", "balance.get", "event.list");

    private <T> Uni<T> call(String operation, Invocation<T> invocation) {
        String requestId = "bridge-" + UUID.randomUUID();
        AtomicInteger attempts = new AtomicInteger();
        Timer.Sample sample = Timer.start(meters);
        Uni<T> retried = Uni.createFrom().deferred(() -> attempt(operation, invocation, requestId, false))
                .onFailure().retry().when(failures -> failures.onItem().transformToUniAndConcatenate(failure -> {
                    int attempt = attempts.incrementAndGet();
                    Duration delay = retryDelay(failure, attempt);
                    if (delay == null) {
                        return Uni.createFrom().failure(failure);
                    }
                    retries(operation, failure instanceof MadeTaskException m && m.code() != null ? m.code() : "error")
                            .increment();
                    LOG.debugf("MadeTask %s failed (%s), retry %d in %d ms", operation, describe(failure), attempt,
                            delay.toMillis());
                    return Uni.createFrom().item(attempt).onItem().delayIt().by(delay);
                }));
        // The breaker sees the call once, with its retries: only a call that failed after all of them counts.
        Uni<T> guarded = ((Uni<T>) breaker.get(() -> (Uni<Object>) retried))
                .onFailure(CircuitBreakerOpenException.class)
                .transform(e -> new MadeTaskException.CircuitOpen(requestId));
        return guarded
                .onItemOrFailure().invoke((item, failure) -> {
                    String outcome = failure == null ? "success"
                            : failure instanceof MadeTaskException.CircuitOpen ? "circuit_open"
                            : failure instanceof MadeTaskException m && m.isTransient() ? "unavailable"
                            : failure instanceof MadeTaskException ? "refused" : "error";
                    sample.stop(calls(operation, outcome));
                });
    }

    private Timer calls(String operation, String outcome) {
        return Timer.builder("bridge.madetask.calls")
                .description("Calls to MadeTask (with their retries) by operation and outcome")
                .tags("operation", operation, "outcome", outcome).register(meters);
    }

    private Counter retries(String operation, String reason) {
        return Counter.builder("bridge.madetask.retries")
                .description("Retries of MadeTask calls that may pass, by operation and reason")
                .tags("operation", operation, "reason", reason).register(meters);
    }

    private <T> Uni<T> attempt(String operation, Invocation<T> invocation, String requestId, boolean renewed) {
        return tokens.accessToken()
                .onFailure().transform(e -> {
                    LOG.warnf("Could not get a MadeTask access token (wrong MADETASK_CLIENT_ID or _SECRET, or MadeTask "
                            + "is away): %s", e.toString());
                    return new MadeTaskException.Unavailable(0, "token_unavailable",
                            "Could not get a MadeTask access token", requestId, null, e);
                })
                .flatMap(token -> paced().replaceWith(token))
                .flatMap(token -> invocation.invoke("Bearer " + token, requestId)
                        .ifNoItem().after(config.callTimeout())
                        .failWith(() -> new MadeTaskException.Unavailable(0, "timeout",
                                "No answer from MadeTask within " + config.callTimeout().toMillis() + " ms",
                                requestId, null, null))
                        .onFailure(e -> !(e instanceof MadeTaskException)).transform(e -> transport(e, requestId))
                        .onItemOrFailure().invoke((item, e) -> heard(e))
                        .onFailure(MadeTaskException.Unauthorized.class).recoverWithUni(e -> {
                            if (renewed) {
                                return Uni.createFrom().failure(e);
                            }
                            tokens.invalidate(token);
                            return attempt(operation, invocation, requestId, true);
                        }));
    }

    /** Notes an attempt's ending: an answer of any kind, or none. */
    private void heard(Throwable failure) {
        Instant now = Instant.now();
        if (failure instanceof MadeTaskException.RateLimited) {
            rateLimited.increment();
        }
        if (failure instanceof MadeTaskException.Unavailable u && !(failure instanceof MadeTaskException.RateLimited)) {
            reachability.updateAndGet(r -> new Reachability(r.lastAnswerAt(), now, u.status() + " " + u.code()));
        } else {
            reachability.updateAndGet(r -> new Reachability(now, r.lastFailureAt(), r.lastFailure()));
        }
    }

    private Uni<Void> paced() {
        Duration wait = pacer.reserve();
        return wait.toMillis() < 1 ? Uni.createFrom().voidItem()
                : Uni.createFrom().voidItem().onItem().delayIt().by(wait);
    }

    /** The wait before retry number {@code attempt}, or null when the failure must not be retried. */
    Duration retryDelay(Throwable failure, int attempt) {
        if (!(failure instanceof MadeTaskException.Unavailable unavailable)
                || failure instanceof MadeTaskException.CircuitOpen || attempt > config.maxRetries()) {
            return null;
        }
        ThreadLocalRandom random = ThreadLocalRandom.current();
        if (unavailable.retryAfter().isPresent()) {
            Duration wait = unavailable.retryAfter().get();
            if (wait.compareTo(config.retryAfterMax()) > 0) {
                return null;
            }
            // Waited out in full, plus a little so that many callers do not come back in the same millisecond.
            return wait.plusMillis(random.nextLong(50 + wait.toMillis() / 10 + 1));
        }
        long base = config.backoffInitial().toMillis() << Math.min(attempt - 1, 20);
        long capped = Math.min(base, config.backoffMax().toMillis());
        long jitter = (long) (capped * config.backoffJitter() * random.nextDouble());
        return Duration.ofMillis(Math.max(1, capped - jitter));
    }

    private static boolean countsAgainstBreaker(Throwable failure) {
        return failure instanceof MadeTaskException.Unavailable && !(failure instanceof MadeTaskException.RateLimited);
    }

    private static MadeTaskException transport(Throwable e, String requestId) {
        Throwable cause = e instanceof ProcessingException && e.getCause() != null ? e.getCause() : e;
        if (cause instanceof TimeoutException || cause.getClass().getSimpleName().contains("Timeout")) {
            return new MadeTaskException.Unavailable(0, "timeout", "MadeTask did not answer in time", requestId, null, e);
        }
        if (cause instanceof IOException || cause instanceof VertxException || e instanceof ProcessingException) {
            return new MadeTaskException.Unavailable(0, "connection_failed",
                    "The connection to MadeTask failed: " + cause.getClass().getSimpleName(), requestId, null, e);
        }
        return new MadeTaskException(0, "client_error", "Calling MadeTask failed: " + cause.getClass().getSimpleName(),
                requestId, null, null, e);
    }

    private static String describe(Throwable failure) {
        return failure instanceof MadeTaskException m ? m.status() + " " + m.code() : failure.getClass().getSimpleName();
    }

    private static String key(String idempotencyKey) {
        if (idempotencyKey == null || idempotencyKey.isEmpty() || idempotencyKey.length() > 255) {
            throw new IllegalArgumentException("An Idempotency-Key of 1 to 255 characters is required");
        }
        return idempotencyKey;
    }

    /** How many access tokens the bridge fetched since start. */
    public long tokensFetched() {
        return tokens.fetched();
    }
}
