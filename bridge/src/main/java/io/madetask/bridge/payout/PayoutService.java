package io.madetask.bridge.payout;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.Collection;
import java.util.Map;
import java.util.List;
import java.util.UUID;
import java.util.stream.Collectors;

import jakarta.enterprise.context.ApplicationScoped;

import io.madetask.bridge.audit.Audit;
import io.madetask.bridge.common.BridgeException;
import io.madetask.bridge.common.Enums;
import io.madetask.bridge.common.Filter;
import io.madetask.bridge.common.PageView;
import io.madetask.bridge.common.Problem;
import io.madetask.bridge.common.RequestIds;
import io.madetask.bridge.task.TaskPayouts;
import io.madetask.bridge.work.Backlog;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.quarkus.panache.common.Sort;
import io.smallrye.mutiny.Uni;

/**
 * Payouts: made when the task feature reports a task accepted ({@link TaskPayouts}), read, and retried by an admin.
 */
@ApplicationScoped
public class PayoutService implements TaskPayouts, Backlog {

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

    /**
     * A new attempt for a FAILED payout whose cause may pass, by an admin: the failed attempt kept, a new key made now.
     * 404 for no such payout, 409 {@code payout_not_failed} or {@code payout_not_retryable} (with what to do instead).
     */
    public Uni<Void> retry(String id, String actor) {
        RequestIds.checkCrmId(id);
        return store.inTransaction(c -> store.failureOf(c, id).flatMap(found -> {
            if (found == null) {
                throw BridgeException.notFound("payout", id);
            }
            if (found.status() != PayoutStatus.FAILED) {
                throw new BridgeException(409, "payout_not_failed", "Not failed",
                        "Only a FAILED payout can be tried again; this one is " + found.status());
            }
            if (!PayoutFailures.retryable(found.failureCode())) {
                throw new BridgeException(409, "payout_not_retryable", "Not retryable",
                        "A payout that failed with " + found.failureCode() + " would fail again. "
                                + PayoutFailures.action(found.failureCode()));
            }
            return engine.newAttempts(c, new PayoutStore.RetryFilter(List.copyOf(PayoutFailures.RETRYABLE),
                    List.of(id), null, null, null, 1), actor, "payout.retry", RequestIds.current(),
                    done -> done.isEmpty() ? "" : "attempt " + done.get(0).attempt() + " after " + found.failureCode(),
                    null, null);
        })).replaceWithVoid();
    }

    /**
     * The body of {@code POST /api/v1/payouts/retry}: which FAILED payouts to try again; absent parts do not filter. A
     * field it does not know is refused, so that a misspelt filter never widens the retry to every failed payout.
     */
    public record BulkRetry(String failureCode, String batchId, String executorCrmId) {

        private static final List<String> FIELDS = List.of("failureCode", "batchId", "executorCrmId");

        /** The body as sent: a JSON object of those fields only, each text or null; 400 naming any other. */
        static BulkRetry of(com.fasterxml.jackson.databind.JsonNode body) {
            if (body == null || !body.isObject()) {
                // no body, or null, is no way to ask for every failed payout: {} says so on purpose
                throw BridgeException.validation(List.of(new Problem.FieldError("body",
                        "a JSON object of filters; {} tries every FAILED payout whose cause may pass")));
            }
            List<Problem.FieldError> errors = new java.util.ArrayList<>();
            body.fieldNames().forEachRemaining(name -> {
                if (!FIELDS.contains(name)) {
                    errors.add(new Problem.FieldError(name.length() > 64 ? name.substring(0, 64) : name,
                            "not a field of a bulk retry (" + String.join(", ", FIELDS) + ")"));
                } else if (!body.get(name).isTextual() && !body.get(name).isNull()) {
                    errors.add(new Problem.FieldError(name, "text"));
                }
            });
            if (!errors.isEmpty()) {
                throw BridgeException.validation(errors.subList(0, Math.min(errors.size(), 20)));
            }
            return new BulkRetry(text(body, "failureCode"), text(body, "batchId"), text(body, "executorCrmId"));
        }

        private static String text(com.fasterxml.jackson.databind.JsonNode body, String field) {
            com.fasterxml.jackson.databind.JsonNode value = body.get(field);
            return value == null || value.isNull() ? null : value.asText();
        }
    }

    /** What a bulk retry did: how many payouts got a new attempt, and whether more are left (ask again). */
    public record BulkRetried(int retried, boolean more, List<String> failureCodes) {
    }

    /** Per request, at most this many payouts get a new attempt; {@code more} says when others are left. */
    static final int BULK_LIMIT = 5000;

    /**
     * A new attempt for every FAILED payout the filter names whose cause may pass (one code, or all of them), by an
     * admin. A code whose cause cannot pass is 409 {@code payout_not_retryable} with what to do instead.
     */
    public Uni<BulkRetried> retryAll(BulkRetry body, String actor) {
        BulkRetry f = body == null ? new BulkRetry(null, null, null) : body;
        List<Problem.FieldError> errors = new java.util.ArrayList<>();
        if (f.failureCode() != null && !PayoutFailures.retryable(f.failureCode())
                && !PayoutFailures.FINAL.contains(f.failureCode())) {
            errors.add(new Problem.FieldError("failureCode", "one of "
                    + PayoutFailures.RETRYABLE.stream().sorted().toList()));
        }
        checkId(errors, "batchId", f.batchId());
        checkId(errors, "executorCrmId", f.executorCrmId());
        if (!errors.isEmpty()) {
            throw BridgeException.validation(errors);
        }
        if (f.failureCode() != null && !PayoutFailures.retryable(f.failureCode())) {
            throw new BridgeException(409, "payout_not_retryable", "Not retryable",
                    "Payouts that failed with " + f.failureCode() + " would fail again. "
                            + PayoutFailures.action(f.failureCode()));
        }
        List<String> codes = f.failureCode() == null ? List.copyOf(PayoutFailures.RETRYABLE) : List.of(f.failureCode());
        String detail = "bulk retry" + (f.failureCode() == null ? "" : ", " + f.failureCode())
                + (f.batchId() == null ? "" : ", batch " + f.batchId())
                + (f.executorCrmId() == null ? "" : ", executor " + f.executorCrmId());
        return store.inTransaction(c -> engine.newAttempts(c, new PayoutStore.RetryFilter(codes, null, f.batchId(),
                f.executorCrmId(), null, BULK_LIMIT), actor, "payout.retry", RequestIds.current(), done -> detail,
                null, null))
                .map(done -> new BulkRetried(done.size(), done.size() == BULK_LIMIT,
                        done.stream().map(PayoutStore.Retried::previousCode).distinct().sorted().toList()));
    }

    private static void checkId(List<Problem.FieldError> errors, String field, String value) {
        if (value != null && (value.isBlank() || value.length() > 100 || value.chars().anyMatch(ch -> ch < 0x20))) {
            errors.add(new Problem.FieldError(field, "an id of 1 to 100 characters"));
        }
    }

    /** Payouts to make (PENDING), at MadeTask (PROCESSING) and FAILED: PAYOUT. */
    @Override
    public Uni<java.util.List<Figures>> figures() {
        return store.backlog().map(java.util.List::of);
    }
}
