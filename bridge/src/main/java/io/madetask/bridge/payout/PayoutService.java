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
import io.madetask.bridge.common.Filter;
import io.madetask.bridge.common.PageView;
import io.madetask.bridge.common.RequestIds;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.quarkus.hibernate.reactive.panache.common.WithTransaction;
import io.quarkus.panache.common.Sort;
import io.smallrye.mutiny.Uni;

/** Payouts: made when a task is accepted (with no further call), read, and retried by an admin. */
@ApplicationScoped
public class PayoutService {

    /** Failure codes whose cause may pass: an admin may try again. */
    static final Set<String> RETRYABLE = Set.of("INSUFFICIENT_FUNDS", "BANK_REJECTED");

    private final Audit audit;
    private final PayoutEngine engine;

    PayoutService(Audit audit, PayoutEngine engine) {
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
     * The task's payout, inside the caller's transaction: made once, whatever calls this again (a retried request,
     * an event, a batch). Its idempotency key is made here, before any call to MadeTask.
     */
    public Uni<Void> createFor(String taskCrmId, String executorCrmId, BigDecimal amount) {
        String id = newId();
        return Panache.getSession().flatMap(session -> session.createNativeQuery("""
                insert into payout (id, task_crm_id, executor_crm_id, amount, status, idempotency_key, next_attempt_at)
                values (?1, ?2, ?3, ?4, 'PENDING', ?5, %s) on conflict (task_crm_id) do nothing""".formatted(
                        PayoutEngine.DUE_AFTER_ACCEPTANCE.replace("$1", "?2")))
                .setParameter(1, id).setParameter(2, taskCrmId).setParameter(3, executorCrmId)
                .setParameter(4, amount).setParameter(5, key(id, 1)).executeUpdate())
                .invoke(inserted -> {
                    if (inserted > 0) {
                        engine.wakeUp();
                    }
                })
                .flatMap(inserted -> inserted > 0 ? audit.record(Audit.SYSTEM, "payout.create", Payout.ENTITY, id,
                        "PENDING", RequestIds.current(), "task " + taskCrmId + ", " + amount.toPlainString() + " RUB")
                        : Uni.createFrom().voidItem());
    }

    /** The payout of each task that has one: id and status, for task views. */
    public Uni<Map<String, PayoutRef>> refsOf(Collection<String> taskCrmIds) {
        if (taskCrmIds.isEmpty()) {
            return Uni.createFrom().item(Map.of());
        }
        return Payout.<Payout>list("taskCrmId in ?1", taskCrmIds).map(list -> list.stream()
                .collect(Collectors.toMap(p -> p.taskCrmId, p -> new PayoutRef(p.id, p.status))));
    }

    /** A task's acceptance reached MadeTask: its payout may go now. */
    public void taskAccepted() {
        engine.wakeUp();
    }

    /** A payout's id and status. */
    public record PayoutRef(String id, String status) {
    }

    @WithSession
    public Uni<PayoutView> get(String id) {
        return Payout.<Payout>findById(id).onItem().ifNull().failWith(() -> BridgeException.notFound("payout", id))
                .map(PayoutView::of);
    }

    @WithSession
    public Uni<PageView<PayoutView>> list(String status, String executorCrmId, String taskCrmId, Instant from,
            Instant to, Integer page, Integer size) {
        Filter filter = new Filter().and("status = :status", "status", status)
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
                    if (!"FAILED".equals(p.status)) {
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
                    p.status = "PENDING";
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

    /** Marks the task's pending payout FAILED: MadeTask would not accept the task, so it cannot be paid. */
    public Uni<Void> failForTask(String taskCrmId, String code, String message) {
        return Panache.getSession().flatMap(session -> session.createNativeQuery("""
                update payout set status = 'FAILED', failure_code = ?2, failure_message = ?3, updated_at = now()
                where task_crm_id = ?1 and status = 'PENDING'""")
                .setParameter(1, taskCrmId).setParameter(2, code).setParameter(3, message).executeUpdate())
                .replaceWithVoid();
    }

}
