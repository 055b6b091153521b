package io.madetask.bridge.payout;

import java.math.BigDecimal;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.List;
import java.util.Set;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import io.madetask.bridge.audit.Audit;
import io.madetask.bridge.common.BridgeException;
import io.madetask.bridge.common.PageView;
import io.madetask.bridge.common.Problem;
import io.madetask.bridge.common.RequestIds;
import io.madetask.bridge.common.Money;
import io.madetask.bridge.executor.ExecutorForPayout;
import io.madetask.bridge.executor.ExecutorService;
import io.madetask.bridge.executor.ExecutorStatus;
import io.madetask.bridge.madetask.MadeTaskClient;
import io.madetask.bridge.task.TaskService;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Row;

/**
 * Payout batches: up to 1000 tasks in one request, answered at once. One transaction of set-based statements records
 * the batch, has the task feature accept every task that needs it (with its MadeTask move: the task feature's rules,
 * outbox and audit), makes the missing payouts and rejects the rest item by item; the outbox worker and the payout
 * engine take it from there.
 */
@ApplicationScoped
public class PayoutBatchService {

    private static final org.jboss.logging.Logger LOG = org.jboss.logging.Logger.getLogger(PayoutBatchService.class);

    static final int MAX_TASKS = 1000;

    /** An item's status: its payout's, or REJECTED. */
    private static final List<String> ITEM_STATUSES = List.of("PENDING", "PROCESSING", "PAID", "FAILED", "REJECTED");

    /** Task statuses a batch can pay: accepted already, or acceptable now. */
    private static final Set<String> PAYABLE = Set.of("IN_PROGRESS", "SUBMITTED", "ACCEPTED", "PAID");

    private final PayoutStore store;
    private final PayoutEngine engine;
    private final TaskService tasks;
    private final Audit audit;

    private final ExecutorService executors;
    private final PayoutPolicy policy;
    private final MadeTaskClient client;

    PayoutBatchService(PayoutStore store, PayoutEngine engine, TaskService tasks, Audit audit,
            ExecutorService executors, PayoutPolicy policy, MadeTaskClient client) {
        this.executors = executors;
        this.policy = policy;
        this.client = client;
        this.store = store;
        this.engine = engine;
        this.tasks = tasks;
        this.audit = audit;
    }

    /** The body of {@code POST /api/v1/payout-batches}. */
    public record BatchRequest(List<String> taskCrmIds, Boolean dryRun) {

        boolean dry() {
            return Boolean.TRUE.equals(dryRun);
        }
    }

    public Uni<PayoutBatchView> create(BatchRequest request, String actor) {
        List<String> ids = checked(request);
        String batchId = "pb-" + UUID.randomUUID();
        String by = actor == null ? "unknown" : actor;
        // the executors are read first, in a session that closes before the batch's transaction takes its connection
        return tasks.forPayout(ids).flatMap(this::executorsOf).flatMap(people -> store.inTransaction(c -> store
                .insertBatch(c, batchId, by, ids.size())
                .flatMap(v -> tasks.lockForPayout(c, ids))
                .flatMap(found -> store.existing(c, ids).flatMap(existing -> {
                    List<String> codes = new ArrayList<>(ids.size());
                    List<String> messages = new ArrayList<>(ids.size());
                    List<String> payable = new ArrayList<>();
                    for (String id : ids) {
                        TaskService.ForPayout t = found.get(id);
                        String[] refusal = itemRefusal(t, existing.get(id),
                                t == null ? null : people.get(t.executorCrmId()));
                        codes.add(refusal == null ? null : refusal[0]);
                        messages.add(refusal == null ? null : refusal[1]);
                        if (refusal == null) {
                            payable.add(id);
                        }
                    }
                    long rejected = codes.stream().filter(code -> code != null).count();
                    return store.insertItems(c, batchId, ids, codes, messages)
                            .flatMap(v -> tasks.acceptAll(c, payable, "Payout batch " + batchId, by))
                            .flatMap(accepted -> {
                                List<String> executors = new ArrayList<>(payable.size());
                                List<BigDecimal> amounts = new ArrayList<>(payable.size());
                                List<String> inMadeTask = new ArrayList<>(payable.size());
                                for (String id : payable) {
                                    TaskService.ForPayout t = found.get(id);
                                    executors.add(t.executorCrmId());
                                    amounts.add(t.reward());
                                    // Accepted just now, or accepted earlier but not yet in MadeTask: the payout waits.
                                    inMadeTask.add(t.acceptedInMadetask() ? t.madetaskId() : null);
                                }
                                return store.insertPayouts(c, batchId, payable, executors, amounts, inMadeTask);
                            })
                            // A task whose payout FAILED for a cause that can pass gets a new attempt now.
                            .flatMap(v -> payable.isEmpty() ? Uni.createFrom().item(List.<PayoutStore.Retried>of())
                                    : engine.newAttempts(c, new PayoutStore.RetryFilter(
                                            List.copyOf(PayoutFailures.RETRYABLE), null, null, null, payable,
                                            payable.size()), by, "payout.retry", RequestIds.current(),
                                            done -> "named again by payout batch " + batchId, null, null))
                            // A batch with nothing left to pay (every item rejected or already settled) is complete.
                            .flatMap(v -> store.completeIfSettled(c, batchId))
                            .flatMap(v -> audit.record(c, by, "payout_batch.create", "PAYOUT_BATCH", batchId,
                                    "ACCEPTED", RequestIds.current(), ids.size() + " tasks, " + rejected + " rejected"));
                }))))
                .invoke(v -> engine.wakeUp())
                .flatMap(v -> get(batchId));
    }

    /** The executors of the tasks, read in a session of their own. */
    private Uni<Map<String, ExecutorForPayout>> executorsOf(Map<String, TaskService.ForPayout> found) {
        Set<String> who = new LinkedHashSet<>();
        found.values().forEach(t -> who.add(t.executorCrmId()));
        return Panache.withSession(() -> executors.forPayout(who));
    }

    /** The request's task ids, checked: 1 to 1000, each a crmId, none twice. */
    private static List<String> checked(BatchRequest request) {
        List<String> ids = request == null ? null : request.taskCrmIds();
        if (ids == null || ids.isEmpty() || ids.size() > MAX_TASKS) {
            throw BridgeException.validation(List.of(new Problem.FieldError("taskCrmIds", "1 to 1000 task crmIds")));
        }
        Set<String> seen = new HashSet<>();
        List<Problem.FieldError> errors = new ArrayList<>();
        for (int i = 0; i < ids.size(); i++) {
            String id = ids.get(i);
            if (id == null || id.isBlank() || id.length() > 100) {
                errors.add(new Problem.FieldError("taskCrmIds[" + i + "]", "a task crmId"));
            } else if (!seen.add(id)) {
                errors.add(new Problem.FieldError("taskCrmIds[" + i + "]", "appears twice"));
            }
        }
        if (!errors.isEmpty()) {
            throw BridgeException.validation(errors.subList(0, Math.min(errors.size(), 20)));
        }
        return ids;
    }

    /**
     * What a batch of these tasks would do now, changing nothing: the same checks as the batch and the payout engine
     * (and MadeTask's, as far as the bridge knows them), then MadeTask's balance against the amount, in the body's
     * order. MadeTask unreachable leaves the balance unknown, with a note; every other check still answers.
     */
    public Uni<PreflightView> preflight(BatchRequest request) {
        List<String> ids = checked(request);
        return tasks.forPayout(ids).flatMap(found -> store.existing(ids).flatMap(existing -> {
            Set<String> who = new LinkedHashSet<>();
            found.values().forEach(t -> who.add(t.executorCrmId()));
            return executorsOf(found).flatMap(people -> store.income(who,
                    PayoutPolicy.yearStart(PayoutPolicy.currentYear()),
                    PayoutPolicy.yearStart(PayoutPolicy.currentYear() + 1))
                    .flatMap(income -> store.pendingAmount().flatMap(pending -> balance().map(available ->
                            preflight(ids, found, existing, people, income, pending, available)))));
        }));
    }

    /** MadeTask's available balance, or null when it cannot be read now. */
    private Uni<BigDecimal> balance() {
        return client.balance().map(b -> b.available().value())
                .onFailure().recoverWithItem(e -> {
                    LOG.infof("Preflight without MadeTask's balance: %s", e.toString());
                    return null;
                });
    }

    private PreflightView preflight(List<String> ids, Map<String, TaskService.ForPayout> found,
            Map<String, PayoutStore.Existing> existing, Map<String, ExecutorForPayout> people,
            Map<String, PayoutStore.Income> income, BigDecimal pending, BigDecimal available) {
        List<PreflightView.Item> items = new ArrayList<>(ids.size());
        Map<String, BigDecimal> planned = new HashMap<>();
        BigDecimal amount = BigDecimal.ZERO;
        BigDecimal needed = BigDecimal.ZERO;
        int payable = 0;
        for (String id : ids) {
            TaskService.ForPayout t = found.get(id);
            ExecutorForPayout e = t == null ? null : people.get(t.executorCrmId());
            String[] why = preflightReason(t, existing.get(id), e);
            if (why == null && e != null) {
                PayoutStore.Income in = income.get(e.crmId());
                BigDecimal paid = in == null ? BigDecimal.ZERO : in.paid();
                BigDecimal ahead = (in == null ? BigDecimal.ZERO : in.inFlight())
                        .add(planned.getOrDefault(e.crmId(), BigDecimal.ZERO));
                PayoutPolicy.Refusal limit = policy.incomeRefusal(e, paid, ahead, t.reward());
                if (limit != null) {
                    why = new String[] {"income_limit_exceeded", limit.message()};
                }
            }
            if (why == null) {
                needed = needed.add(t.reward());
                if (available != null && pending.add(amount).add(t.reward()).compareTo(available) > 0) {
                    why = new String[] {"insufficient_funds", "MadeTask's available balance ("
                            + available.toPlainString() + " RUB, less " + pending.toPlainString()
                            + " RUB of payouts waiting to go) does not cover this one after the tasks before it"};
                } else {
                    amount = amount.add(t.reward());
                    planned.merge(e.crmId(), t.reward(), BigDecimal::add);
                    payable++;
                }
            }
            items.add(new PreflightView.Item(id, why == null, why == null ? null : why[0], why == null ? null : why[1],
                    t == null ? null : Money.rub(t.reward()), t == null ? null : t.executorCrmId()));
        }
        PreflightView.Balance balance = available == null
                ? new PreflightView.Balance(null, Money.rub(pending), null,
                        "MadeTask's balance could not be read now: insufficient_funds is not checked")
                : new PreflightView.Balance(Money.rub(available), Money.rub(pending),
                        Money.rub(pending.add(needed).subtract(available).max(BigDecimal.ZERO)), null);
        return new PreflightView(ids.size(), payable, Money.rub(amount), balance, items);
    }

    /**
     * Why a task would not be paid now, before the income limit and the balance; null when nothing stops it. The first
     * part ({@link #itemRefusal}) is what a batch refuses item by item; the rest a batch's payout fails with, the same
     * reason in upper case (the engine's own checks, or MadeTask's).
     */
    private String[] preflightReason(TaskService.ForPayout t, PayoutStore.Existing payout, ExecutorForPayout e) {
        String[] refused = itemRefusal(t, payout, e);
        if (refused != null) {
            return refused;
        }
        if (e.status() == ExecutorStatus.BLOCKED) {
            return new String[] {"executor_blocked", "The executor is blocked"};
        }
        if (!e.payable()) {
            return new String[] {"executor_not_payable", "MadeTask cannot pay the executor yet (registration not "
                    + "finished, or the payout method not verified)"};
        }
        PayoutPolicy.Refusal tax = policy.taxRefusal(e);
        if (tax != null) {
            return new String[] {"not_self_employed", tax.message()};
        }
        return null;
    }

    /**
     * Why a batch refuses a task item by item (code and message), or null when it makes (or tries again) its payout:
     * no such task, its payout PAID or under way already, its executor not in MadeTask, a status that cannot be paid,
     * not in MadeTask yet, or its payout FAILED for a cause a new attempt would not cure. The preflight says the same.
     */
    private static String[] itemRefusal(TaskService.ForPayout t, PayoutStore.Existing payout, ExecutorForPayout e) {
        if (t == null) {
            return new String[] {"task_not_found", "No task with this crmId"};
        }
        if (payout != null && payout.status() != PayoutStatus.FAILED) {
            return new String[] {"already_paid", payout.status() == PayoutStatus.PAID ? "The task's payout "
                    + payout.id() + " is PAID" : "The task's payout " + payout.id() + " is under way ("
                    + payout.status() + ")"};
        }
        if ("PAID".equals(t.status())) {
            return new String[] {"already_paid", "The task is PAID"};
        }
        if (e == null || e.madetaskId() == null) {
            return new String[] {"executor_not_synced", "The executor is not in MadeTask yet"};
        }
        if (!PAYABLE.contains(t.status())) {
            return new String[] {"invalid_status", "A task in " + t.status() + " cannot be paid"};
        }
        if (t.madetaskId() == null && !"ACCEPTED".equals(t.status())) {
            return new String[] {"invalid_status", "The task is not in MadeTask yet"};
        }
        if (payout != null && !PayoutFailures.retryable(payout.failureCode())) {
            return new String[] {"invalid_status", "The task's payout " + payout.id() + " FAILED with "
                    + payout.failureCode() + ", which a new attempt would not cure. "
                    + PayoutFailures.action(payout.failureCode())};
        }
        return null;
    }

    public Uni<PayoutBatchView> get(String id) {
        return store.batchCounts(id)
                .flatMap(rows -> {
                    if (rows.rowCount() == 0) {
                        throw BridgeException.notFound("payout batch", id);
                    }
                    Row r = rows.iterator().next();
                    PayoutBatchView.Counts counts = new PayoutBatchView.Counts(r.getLong("pending"),
                            r.getLong("processing"), r.getLong("paid"), r.getLong("failed"), r.getLong("rejected"));
                    boolean done = counts.pending() == 0 && counts.processing() == 0;
                    String status = !done ? "RUNNING"
                            : counts.failed() + counts.rejected() == 0 ? "COMPLETED" : "COMPLETED_WITH_ERRORS";
                    // finished_at is set by the database when the last item settles (bridge_complete_batch); a batch
                    // whose last settlement raced with its creation is completed here, on the first read that sees it.
                    OffsetDateTime finished = r.getOffsetDateTime("finished_at");
                    Uni<OffsetDateTime> finishedAt = !done ? Uni.createFrom().nullItem()
                            : finished != null ? Uni.createFrom().item(finished)
                            : store.complete(id);
                    return finishedAt.map(f -> new PayoutBatchView(id, status, r.getInteger("total"), counts,
                            r.getOffsetDateTime("created_at").toInstant(), f == null ? null : f.toInstant()));
                });
    }

    public Uni<PageView<PayoutBatchView.Item>> items(String id, String status, Integer page, Integer size) {
        int[] ps = PageView.checked(page, size);
        if (status != null && !ITEM_STATUSES.contains(status)) {
            throw BridgeException.validation(List.of(new Problem.FieldError("status", "one of " + ITEM_STATUSES)));
        }
        return get(id).flatMap(batch -> store.batchItems(id, status, ps[1], ps[0] * ps[1])
                .map(rows -> {
                    List<PayoutBatchView.Item> items = new ArrayList<>();
                    long total = 0;
                    for (Row r : rows) {
                        total = r.getLong("total");
                        String code = r.getString("error_code");
                        items.add(new PayoutBatchView.Item(r.getString("task_crm_id"), r.getString("status"),
                                r.getString("payout_id"), r.getString("failure_code"),
                                code == null ? null : new PayoutBatchView.ItemError(code, r.getString("error_message"))));
                    }
                    return new PageView<>(items, ps[0], ps[1], total);
                }));
    }
}
