package io.madetask.bridge.payout;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.Collection;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.LockModeType;

import io.madetask.bridge.audit.Audit;
import io.madetask.bridge.common.BridgeException;
import io.madetask.bridge.common.Enums;
import io.madetask.bridge.common.Filter;
import io.madetask.bridge.common.PageView;
import io.madetask.bridge.common.RequestIds;
import io.madetask.bridge.task.TaskPayouts;
import io.madetask.bridge.work.Backlog;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.quarkus.hibernate.reactive.panache.common.WithTransaction;
import io.quarkus.panache.common.Sort;
import io.smallrye.mutiny.Uni;

/**
 * Payouts: made when the task feature reports a task accepted ({@link TaskPayouts}), read, and retried by an admin.
 */
@ApplicationScoped
public class PayoutService implements TaskPayouts, Backlog {

    /** Failure codes whose cause may pass: an admin may try again. */
    static final Set<String> RETRYABLE = Set.of("INSUFFICIENT_FUNDS", "BANK_REJECTED");

    private final Audit audit;
    private final PayoutEngine engine;
    private final PayoutStore store;

    PayoutService(Audit audit, PayoutEngine engine, PayoutStore store) {
        this.store = store;
        this.audit = audit;
        this.engine = engine;
    }

    static String newId() {
        return "po-" + UUID.randomUUID();
    }

    static String key(String payoutId, int attempt) {
        return "bridge-payout-" + payoutId + "-" + attempt;
    }

    /**
     * The task's payout, inside the caller's transaction: made once, whatever calls this again (a retried request, an
     * event, a batch: callers hold the task's row lock). Its idempotency key is made here, before any call to
     * MadeTask. It may go at once when MadeTask has the task accepted; else it waits for {@link #acceptanceInMadeTask}.
     */
    @Override
    public Uni<Void> accepted(String taskCrmId, String executorCrmId, BigDecimal reward, String madetaskId) {
        return Payout.<Payout>find("taskCrmId", taskCrmId).firstResult().flatMap(existing -> {
            if (existing != null) {
                return madetaskId == null ? Uni.createFrom().voidItem() : acceptanceInMadeTask(taskCrmId, madetaskId);
            }
            Payout p = new Payout();
            p.id = newId();
            p.taskCrmId = taskCrmId;
            p.executorCrmId = executorCrmId;
            p.amount = reward;
            p.status = PayoutStatus.PENDING;
            p.attempts = 1;
            p.idempotencyKey = key(p.id, 1);
            p.taskMadetaskId = madetaskId;
            p.nextAttemptAt = p.createdAt = p.updatedAt = Instant.now();
            return p.persist()
                    .invoke(() -> {
                        if (madetaskId != null) {
                            engine.wakeUp();
                        }
                    })
                    .flatMap(v -> audit.record(Audit.SYSTEM, "payout.create", Payout.ENTITY, p.id, "PENDING",
                            RequestIds.current(), "task " + taskCrmId + ", " + reward.toPlainString() + " RUB"));
        });
    }

    /** The task's acceptance reached MadeTask: its waiting payout may go now. */
    @Override
    public Uni<Void> acceptanceInMadeTask(String taskCrmId, String madetaskId) {
        return store.due(taskCrmId, madetaskId).invoke(waiting -> {
            if (waiting) {
                engine.wakeUp();
            }
        }).replaceWithVoid();
    }

    /** MadeTask would not accept the task: its pending payout is FAILED, as it cannot be paid. */
    @Override
    public Uni<Void> acceptanceRefused(String taskCrmId, String code, String message) {
        return store.failPending(taskCrmId, code, message);
    }

    /** The payout of each task that has one: id and status, for task views. */
    @Override
    public Uni<Map<String, PayoutRef>> refsOf(Collection<String> taskCrmIds) {
        if (taskCrmIds.isEmpty()) {
            return Uni.createFrom().item(Map.of());
        }
        return Payout.<Payout>list("taskCrmId in ?1", taskCrmIds).map(list -> list.stream()
                .collect(Collectors.toMap(p -> p.taskCrmId, p -> new PayoutRef(p.id, p.status.name()))));
    }

    @WithSession
    public Uni<PayoutView> get(String id) {
        return Payout.<Payout>findById(id).onItem().ifNull().failWith(() -> BridgeException.notFound("payout", id))
                .map(PayoutView::of);
    }

    @WithSession
    public Uni<PageView<PayoutView>> list(String status, String executorCrmId, String taskCrmId, Instant from,
            Instant to, Integer page, Integer size) {
        Filter filter = new Filter().and("status = :status", "status", Enums.parse(PayoutStatus.class, status, "status"))
                .and("executorCrmId = :executor", "executor", executorCrmId)
                .and("taskCrmId = :task", "task", taskCrmId)
                .and("createdAt >= :from", "from", from)
                .and("createdAt < :to", "to", to);
        return Filter.pageOf(Payout.<Payout>find(filter.query(), Sort.descending("createdAt", "id"), filter.params()),
                PageView.checked(page, size), PayoutView::of);
    }

    /** A new attempt for a FAILED payout whose cause may pass; the new attempt gets a new key, made now. */
    @WithTransaction
    public Uni<PayoutView> retry(String id, String actor) {
        return Payout.<Payout>findById(id, LockModeType.PESSIMISTIC_WRITE)
                .onItem().ifNull().failWith(() -> BridgeException.notFound("payout", id))
                .flatMap(p -> {
                    if (p.status != PayoutStatus.FAILED) {
                        throw new BridgeException(409, "payout_not_failed", "Not failed",
                                "Only a FAILED payout can be tried again; this one is " + p.status);
                    }
                    if (!RETRYABLE.contains(p.failureCode)) {
                        throw new BridgeException(409, "payout_not_retryable", "Not retryable",
                                "A payout that failed with " + p.failureCode + " would fail again; fix the cause first");
                    }
                    String previous = p.failureCode;
                    p.attempts++;
                    p.idempotencyKey = key(p.id, p.attempts);
                    p.status = PayoutStatus.PENDING;
                    p.madetaskId = null;
                    p.failureCode = null;
                    p.failureMessage = null;
                    p.lastError = null;
                    p.nextAttemptAt = Instant.now();
                    p.updatedAt = Instant.now();
                    engine.wakeUp();
                    return audit.record(actor, "payout.retry", Payout.ENTITY, p.id, "ACCEPTED", RequestIds.current(),
                            "attempt " + p.attempts + " after " + previous).map(v -> PayoutView.of(p));
                });
    }

    /** Payouts to make (PENDING), at MadeTask (PROCESSING) and FAILED: PAYOUT. */
    @Override
    public Uni<java.util.List<Figures>> figures() {
        return store.backlog().map(java.util.List::of);
    }
}
