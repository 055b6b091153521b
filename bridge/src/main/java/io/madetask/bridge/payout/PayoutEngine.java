package io.madetask.bridge.payout;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.jboss.logging.Logger;

import io.madetask.bridge.audit.Audit;
import io.madetask.bridge.common.BackgroundTx;
import io.madetask.bridge.common.Backoff;
import io.madetask.bridge.common.Money;
import io.madetask.bridge.common.SafeContext;
import io.madetask.bridge.executor.ExecutorService;
import io.madetask.bridge.madetask.MadeTaskClient;
import io.madetask.bridge.madetask.MadeTaskException;
import io.madetask.bridge.madetask.MadeTaskModel;
import io.madetask.bridge.work.LeasedWork;
import io.madetask.bridge.work.WorkQueue;
import io.madetask.bridge.work.WorkerIdentity;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * Pays. A pipeline with at most {@code bridge.payouts.concurrency} calls in flight: it claims due payouts in a short
 * transaction ({@code FOR UPDATE SKIP LOCKED} with a lease, so instances share the work and never take the same
 * payout), calls MadeTask with no database session open, with the payout's stored idempotency key, and records each
 * outcome in its own short transaction. As each call ends, the next payout is claimed. A payout waits until the task
 * feature reports its task accepted in MadeTask ({@link PayoutService#acceptanceInMadeTask}). A retry after a timeout, a lost answer or a crash uses
 * the same key, so MadeTask pays once.
 */
@ApplicationScoped
public class PayoutEngine {

    private static final Logger LOG = Logger.getLogger(PayoutEngine.class);
    /** How long a payout that ran into MadeTask's open circuit waits, uncounted, before it is claimed again. */
    private static final Duration PAUSE = Duration.ofSeconds(1);
    /** The rules could not be checked (the database failed): the payout was put back to be tried again. */
    private static final PayoutPolicy.Refusal RULES_UNCHECKED = new PayoutPolicy.Refusal("", "");

    private final PayoutStore store;
    private final Audit audit;
    private final MadeTaskClient client;
    private final PayoutConfig config;
    private final MeterRegistry meters;
    private final Vertx vertx;
    private final String instanceId;
    private final WorkQueue queue;
    private final LeasedWork<Claimed> pump;

    private final PayoutPolicy policy;
    private final ExecutorService executors;
    private final BackgroundTx tx;

    PayoutEngine(PayoutStore store, Audit audit, MadeTaskClient client, PayoutConfig config, Vertx vertx,
            WorkerIdentity identity, MeterRegistry meters, PayoutPolicy policy, ExecutorService executors,
            BackgroundTx tx) {
        this.policy = policy;
        this.executors = executors;
        this.tx = tx;
        this.meters = meters;
        // every outcome exists (at zero) from start-up, with its HELP text
        for (String outcome : List.of("PROCESSING", "PAID", "FAILED", "RETRY")) {
            io.micrometer.core.instrument.Counter.builder("bridge.payouts")
                    .description("Payouts moving to a state (each move counted once), and calls to be tried again")
                    .tag("outcome", outcome).register(meters);
        }
        this.store = store;
        this.audit = audit;
        this.client = client;
        this.config = config;
        this.vertx = vertx;
        this.instanceId = identity.id();
        this.queue = store.queue(instanceId);
        this.pump = new LeasedWork<>("Payout engine", config.concurrency(), queue, config.lease(),
                client::callBudget, limit -> store.claim(instanceId, config.lease(), limit), this::pay,
                c -> List.of(c.id()));
    }

    record Claimed(String id, String key, BigDecimal amount, String taskCrmId, String taskMadetaskId, int calls,
            String executorCrmId, int attempt) {
    }

    void start(@Observes StartupEvent event) {
        if (config.enabled()) {
            pump.start(vertx, config.pollInterval());
        }
    }


    /**
     * New attempts for the FAILED payouts the filter names, in the caller's transaction, each audited under
     * {@code action}; the engine is woken to look for them (it claims them once the transaction has committed).
     * {@code automaticDelay} is null for a person's retry (see {@link PayoutStore#retry}).
     */
    Uni<List<PayoutStore.Retried>> newAttempts(io.vertx.mutiny.sqlclient.SqlConnection c, PayoutStore.RetryFilter filter,
            String actor, String action, String requestId,
            java.util.function.Function<List<PayoutStore.Retried>, String> detail, Duration automaticDelay,
            Duration automaticMax) {
        return store.retry(c, filter, actor, automaticDelay, automaticMax)
                .call(done -> audit.recordAll(c, actor, action, Payout.ENTITY,
                        done.stream().map(PayoutStore.Retried::id).toList(), "ACCEPTED", requestId, detail.apply(done)))
                .invoke(done -> {
                    if (!done.isEmpty()) {
                        wakeUp();
                    }
                });
    }

    /** Look for due payouts soon (after the caller's transaction commits). */
    public void wakeUp() {
        pump.wakeUp();
    }

    /** One payout: the call, and its outcome recorded. Never fails: every ending is recorded. */
    Uni<Void> pay(Claimed c) {
        return SafeContext.start(vertx, Map.of("payoutId", c.id(), "entity", "TASK " + c.taskCrmId()),
                () -> payNow(c));
    }

    /**
     * The bridge's own rules first (its block, the tax status, the income limit: a refusal costs no MadeTask call); then, for a
     * payout's second or later attempt, MadeTask's payouts of the task, so that a task is never paid twice even by a
     * platform that would take a second payout; then the call.
     */
    private Uni<Void> payNow(Claimed c) {
        return refusal(c)
                .onFailure().recoverWithUni(e -> retry(c, "Checking the payout rules: " + e.getClass().getSimpleName())
                        .replaceWith(RULES_UNCHECKED))
                .flatMap(refusal -> {
                    if (refusal == RULES_UNCHECKED) {
                        return Uni.createFrom().voidItem();
                    }
                    if (refusal != null) {
                        return fail(c, refusal.code(), refusal.message());
                    }
                    return c.attempt() > 1 ? createUnlessPaid(c) : create(c);
                });
    }

    private Uni<PayoutPolicy.Refusal> refusal(Claimed c) {
        return tx.session(() -> executors.forPayout(List.of(c.executorCrmId())))
                .map(found -> found.get(c.executorCrmId()))
                .flatMap(e -> {
                    PayoutPolicy.Refusal own = policy.blockedRefusal(e);
                    if (own == null) {
                        own = policy.taxRefusal(e);
                    }
                    if (own != null || e == null || !PayoutPolicy.SELF_EMPLOYED.equals(e.taxStatus())) {
                        return Uni.createFrom().item(own);
                    }
                    return store.incomeQueue(c.id()).map(q -> policy.incomeRefusal(e, q.paid(),
                            policy.ahead(q.paid(), q.processing(), q.earlierPending()), c.amount()));
                });
    }

    private Uni<Void> createUnlessPaid(Claimed c) {
        return client.listPayouts(new MadeTaskModel.ListQuery(null, null, null, c.taskMadetaskId(), null, 100))
                .flatMap(page -> {
                    for (MadeTaskModel.Payout mt : page.items()) {
                        if (c.taskMadetaskId().equals(mt.taskId())
                                && ("PAID".equals(mt.status()) || "PROCESSING".equals(mt.status()))) {
                            return answered(c, mt, "LINKED");
                        }
                    }
                    return create(c);
                })
                .onFailure(MadeTaskException.CircuitOpen.class).recoverWithUni(f -> giveBack(c))
                .onFailure(MadeTaskException.class).recoverWithUni(f -> retry(c, "Reading the task's payouts: "
                        + ((MadeTaskException) f).summary()));
    }

    private Uni<Void> create(Claimed c) {
        MadeTaskModel.PayoutCreate body = new MadeTaskModel.PayoutCreate(c.taskMadetaskId(), Money.rub(c.amount()),
                "Task " + c.taskCrmId());
        return client.createPayout(body, c.key())
                .flatMap(mt -> answered(c, mt, "CREATED"))
                .onFailure(MadeTaskException.class).recoverWithUni(e -> refused(c, (MadeTaskException) e))
                .onFailure().recoverWithUni(e -> retry(c, "Unexpected: " + e.getClass().getSimpleName()));
    }

    private Uni<Void> refused(Claimed c, MadeTaskException e) {
        if (e instanceof MadeTaskException.CircuitOpen) {
            return giveBack(c);
        }
        if (e.isTransient()) {
            return retry(c, "MadeTask unavailable: " + e.summary());
        }
        if ("payout_exists".equals(e.code()) && e.existingId().isPresent()) {
            // Paid under an earlier key of ours, or MadeTask knows a payout we lost track of: take it as ours.
            return client.getPayout(e.existingId().get())
                    .flatMap(mt -> answered(c, mt, "LINKED"))
                    .onFailure(MadeTaskException.CircuitOpen.class).recoverWithUni(f -> giveBack(c))
                    .onFailure(MadeTaskException.class).recoverWithUni(f -> retry(c, "Reading the existing payout: "
                            + ((MadeTaskException) f).code()));
        }
        if ("task_not_accepted".equals(e.code())) {
            return client.getTask(c.taskMadetaskId()).flatMap(task -> switch (task.status()) {
                case "ACCEPTED" -> retry(c, "MadeTask had not yet accepted the task");
                case "PAID" -> client.listPayouts(new MadeTaskModel.ListQuery(null, null, "PAID", c.taskMadetaskId(),
                        null, 10)).flatMap(page -> page.items().isEmpty() ? retry(c, "Task PAID, payout not found yet")
                                : answered(c, page.items().get(0), "LINKED"));
                default -> fail(c, "TASK_NOT_ACCEPTED", "The task is " + task.status() + " in MadeTask, not ACCEPTED");
            }).onFailure(MadeTaskException.CircuitOpen.class).recoverWithUni(f -> giveBack(c))
                    .onFailure(MadeTaskException.class).recoverWithUni(f -> retry(c, "Reading the task: "
                    + ((MadeTaskException) f).code()));
        }
        String code = e.code() == null ? "REFUSED" : e.code().toUpperCase();
        return fail(c, code, e.getMessage());
    }

    /**
     * Not tried, or not finished, because MadeTask's circuit is open: back to the queue as it was (no call counted, no
     * backoff growth), due again after a pause; the engine claims nothing while the breaker keeps calls off.
     */
    private Uni<Void> giveBack(Claimed c) {
        pump.pause(PAUSE);
        return queue.release(List.of(c.id()), PAUSE).replaceWithVoid()
                .onFailure().invoke(f -> LOG.warnf("Giving back payout %s failed (its lease will run out): %s",
                        c.id(), f.toString()))
                .onFailure().recoverWithNull();
    }

    private Uni<Void> answered(Claimed c, MadeTaskModel.Payout mt, String how) {
        OffsetDateTime paidAt = mt.paidAt() == null ? null : OffsetDateTime.parse(mt.paidAt());
        return record(c, mt.status(), mt.id(), mt.failureCode(), mt.failureMessage(), mt.receiptUrl(), paidAt, null,
                null, "madetask.payout.create", how + " " + mt.id() + ", " + mt.status());
    }

    private Uni<Void> fail(Claimed c, String code, String message) {
        LOG.infof("Payout %s for task %s FAILED: %s", c.id(), c.taskCrmId(), code);
        return record(c, "FAILED", null, code, message, null, null, null, null, "madetask.payout.create",
                "refused: " + code);
    }

    private Uni<Void> retry(Claimed c, String error) {
        Duration delay = backoff(c.calls());
        return record(c, "PENDING", null, null, null, null, null, error,
                OffsetDateTime.now(ZoneOffset.UTC).plus(delay), null, null);
    }

    private Uni<Void> record(Claimed c, String status, String madetaskId, String failureCode, String failureMessage,
            String receiptUrl, OffsetDateTime paidAt, String lastError, OffsetDateTime nextAttempt, String auditAction,
            String auditDetail) {
        Tuple values = Tuple.tuple().addString(c.id()).addString(status).addString(madetaskId)
                .addString(failureCode).addString(failureMessage).addString(receiptUrl).addOffsetDateTime(paidAt)
                .addString(lastError).addOffsetDateTime(nextAttempt).addString(instanceId);
        if (auditAction == null) {
            meters.counter("bridge.payouts", "outcome", "RETRY").increment();
            return store.record(values).replaceWithVoid();
        }
        return store.inTransaction(conn -> store.record(conn, values)
                .invoke(this::count)
                .flatMap(updated -> updated.rowCount() == 0 ? Uni.createFrom().voidItem()
                        : audit.record(conn, Audit.SYSTEM, auditAction, Payout.ENTITY, c.id(), status, c.key(),
                                auditDetail)));
    }

    /** Counts a payout's move (PROCESSING, PAID, FAILED) once: only when this outcome changed its status. */
    private void count(io.vertx.mutiny.sqlclient.RowSet<Row> updated) {
        for (Row r : updated) {
            if (!r.getString("was").equals(r.getString("now"))) {
                meters.counter("bridge.payouts", "outcome", r.getString("now")).increment();
            }
        }
    }

    Duration backoff(int calls) {
        return Backoff.doubling(config.retryInitial(), config.retryMax(), calls);
    }
}
