package io.madetask.bridge.executor;

import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.LockModeType;

import io.madetask.bridge.audit.Audit;
import io.madetask.bridge.common.SyncState;
import io.madetask.bridge.common.BridgeException;
import io.madetask.bridge.common.Enums;
import io.madetask.bridge.common.Filter;
import io.madetask.bridge.common.PageView;
import io.madetask.bridge.common.PayoutSecrets;
import io.madetask.bridge.common.PersonalDataRules;
import io.madetask.bridge.common.Problem;
import io.madetask.bridge.common.RequestIds;
import io.madetask.bridge.sync.SyncOutbox;
import io.madetask.bridge.work.Backlog;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.quarkus.hibernate.reactive.panache.common.WithTransaction;
import io.quarkus.panache.common.Sort;
import io.smallrye.mutiny.Uni;

/**
 * Executors as the CRM writes them. A write stores the executor and its MadeTask operation in one transaction and
 * answers at once; the outbox worker carries the operation out.
 */
@ApplicationScoped
public class ExecutorService implements Backlog {


    private final SyncOutbox outbox;
    private final PayoutSecrets secrets;
    private final Audit audit;

    private final ExecutorStore store;
    private final ExecutorIncome incomes;

    ExecutorService(SyncOutbox outbox, PayoutSecrets secrets, Audit audit, ExecutorStore store,
            ExecutorIncome incomes) {
        this.store = store;
        this.incomes = incomes;
        this.outbox = outbox;
        this.secrets = secrets;
        this.audit = audit;
    }

    /** What a PUT did: the executor now, and whether it was new. */
    public record Upserted(ExecutorView executor, boolean created) {
    }

    @WithTransaction
    public Uni<Upserted> upsert(String crmId, ExecutorRequest request, String actor) {
        RequestIds.checkCrmId(crmId);
        if (request == null) {
            throw BridgeException.validation(List.of(new Problem.FieldError("body", "a JSON object is required")));
        }
        return Executor.<Executor>findById(crmId, LockModeType.PESSIMISTIC_WRITE).flatMap(existing -> {
            request.validate(existing == null);
            return existing == null ? create(crmId, request, actor) : update(existing, request, actor);
        });
    }

    private Uni<Upserted> create(String crmId, ExecutorRequest request, String actor) {
        Executor e = new Executor();
        e.crmId = crmId;
        e.fullName = request.fullName();
        e.phone = request.phone();
        e.email = request.email();
        e.inn = request.inn();
        e.taxStatus = request.taxStatus();
        setPayoutMethod(e, request.payoutMethod());
        e.status = ExecutorStatus.INVITED;
        e.syncState = SyncState.PENDING;
        e.version = 1;
        e.createdAt = e.updatedAt = Instant.now();
        return e.persist()
                .flatMap(saved -> outbox.enqueue(Executor.ENTITY, crmId, ExecutorOperation.CREATE, null))
                .flatMap(op -> audit.record(actor, "executor.create", Executor.ENTITY, crmId, "ACCEPTED",
                        RequestIds.current(), "queued for MadeTask"))
                .map(v -> new Upserted(ExecutorView.of(e), true));
    }

    private Uni<Upserted> update(Executor e, ExecutorRequest request, String actor) {
        if (e.madetaskId != null && (!e.inn.equals(request.inn()) || !e.taxStatus.equals(request.taxStatus()))) {
            throw BridgeException.validation(List.of(new Problem.FieldError(
                    !e.inn.equals(request.inn()) ? "inn" : "taxStatus", "cannot change once the executor is in MadeTask")));
        }
        boolean changed = !Objects.equals(e.fullName, request.fullName()) || !Objects.equals(e.phone, request.phone())
                || !Objects.equals(e.email, request.email()) || !Objects.equals(e.inn, request.inn())
                || !Objects.equals(e.taxStatus, request.taxStatus());
        boolean newPayoutMethod = request.payoutMethod() != null && payoutMethodChanged(e, request.payoutMethod());
        if (!changed && !newPayoutMethod) {
            return Uni.createFrom().item(new Upserted(ExecutorView.of(e), false));
        }
        e.fullName = request.fullName();
        e.phone = request.phone();
        e.email = request.email();
        e.inn = request.inn();
        e.taxStatus = request.taxStatus();
        if (newPayoutMethod) {
            setPayoutMethod(e, request.payoutMethod());
        }
        e.syncState = SyncState.PENDING;
        e.touch();
        // Before MadeTask has the executor, the pending creation sends the latest data; the update then finds nothing new.
        return outbox.enqueue(Executor.ENTITY, e.crmId, ExecutorOperation.UPDATE, null)
                .flatMap(op -> audit.record(actor, "executor.update", Executor.ENTITY, e.crmId, "ACCEPTED",
                        RequestIds.current(), newPayoutMethod ? "fields and payout method changed" : "fields changed"))
                .map(v -> new Upserted(ExecutorView.of(e), false));
    }

    /**
     * The executor, read in a session of its own that closes before its income is read (through the payout feature,
     * on another connection): a unit of work never holds one connection while it waits for a second.
     */
    public Uni<ExecutorView> get(String crmId) {
        return Panache.withSession(() -> find(crmId).map(ExecutorView::of))
                .flatMap(v -> withIncome(List.of(v))).map(list -> list.get(0));
    }

    /** An executor's income through the bridge in a calendar year, against the self-employed's limit. */
    public Uni<IncomeView> income(String crmId, String yearParam) {
        int year = year(yearParam);
        return Panache.withSession(() -> find(crmId).map(ExecutorService::forPayout))
                .flatMap(e -> incomes.of(List.of(e), year)).map(m -> m.get(crmId));
    }

    /** A year as a query gives it: 2000 to 9999, the current (UTC) one when absent. */
    static int year(String value) {
        if (value == null || value.isBlank()) {
            return java.time.OffsetDateTime.now(java.time.ZoneOffset.UTC).getYear();
        }
        try {
            int year = Integer.parseInt(value.strip());
            if (year >= 2000 && year <= 9999) {
                return year;
            }
        } catch (NumberFormatException e) {
            // refused below
        }
        throw BridgeException.validation(List.of(new Problem.FieldError("year", "a year from 2000 to 9999")));
    }

    /** The views with this year's income of each. */
    private Uni<List<ExecutorView>> withIncome(List<ExecutorView> views) {
        if (views.isEmpty()) {
            return Uni.createFrom().item(views);
        }
        List<ExecutorForPayout> who = views.stream().map(v -> new ExecutorForPayout(v.crmId(), v.madetaskId(),
                v.status(), v.payable(), v.taxStatus(), v.updatedAt())).toList();
        int year = java.time.OffsetDateTime.now(java.time.ZoneOffset.UTC).getYear();
        return incomes.of(who, year).map(m -> views.stream().map(v -> v.withIncome(m.get(v.crmId()))).toList());
    }

    private static ExecutorForPayout forPayout(Executor e) {
        return new ExecutorForPayout(e.crmId, e.madetaskId, e.status, e.payable, e.taxStatus, e.updatedAt);
    }

    public Uni<PageView<ExecutorView>> list(String status, String syncState, String q, Integer page, Integer size) {
        // q is matched as the text it is: its % and _ are no wildcards (escaped with !)
        String like = q == null || q.isBlank() ? null
                : "%" + q.toLowerCase().replace("!", "!!").replace("%", "!%").replace("_", "!_") + "%";
        Filter filter = new Filter().and("status = :status", "status", Enums.parse(ExecutorStatus.class, status, "status"))
                .and("syncState = :syncState", "syncState", Enums.parse(SyncState.class, syncState, "syncState"))
                .and("(lower(fullName) like :q escape '!' or lower(crmId) like :q escape '!')", "q", like);
        int[] paging = PageView.checked(page, size);
        return Panache.withSession(() -> Filter.pageOf(Executor.<Executor>find(filter.query(), Sort.ascending("crmId"),
                filter.params()), paging, ExecutorView::of))
                .flatMap(p -> withIncome(p.items()).map(items -> new PageView<>(items, p.page(), p.size(), p.total())));
    }

    @WithTransaction
    public Uni<ExecutorView> block(String crmId, String actor) {
        return Executor.<Executor>findById(RequestIds.checkCrmId(crmId), LockModeType.PESSIMISTIC_WRITE)
                .onItem().ifNull().failWith(() -> BridgeException.notFound("executor", crmId))
                .flatMap(e -> {
                    if (e.status == ExecutorStatus.BLOCKED) {
                        return Uni.createFrom().item(ExecutorView.of(e));
                    }
                    e.status = ExecutorStatus.BLOCKED;
                    e.payable = false;
                    e.syncState = SyncState.PENDING;
                    e.touch();
                    return outbox.enqueue(Executor.ENTITY, crmId, ExecutorOperation.BLOCK, null)
                            .flatMap(op -> audit.record(actor, "executor.block", Executor.ENTITY, crmId, "ACCEPTED",
                                    RequestIds.current(), null))
                            .map(v -> ExecutorView.of(e));
                });
    }

    @WithTransaction
    public Uni<ExecutorView> unblock(String crmId, String actor) {
        return Executor.<Executor>findById(RequestIds.checkCrmId(crmId), LockModeType.PESSIMISTIC_WRITE)
                .onItem().ifNull().failWith(() -> BridgeException.notFound("executor", crmId))
                .flatMap(e -> {
                    if (e.status != ExecutorStatus.BLOCKED) {
                        return Uni.createFrom().item(ExecutorView.of(e));
                    }
                    e.status = ExecutorStatus.ACTIVE;
                    e.syncState = SyncState.PENDING;
                    e.touch();
                    return outbox.enqueue(Executor.ENTITY, crmId, ExecutorOperation.UNBLOCK, null)
                            .flatMap(op -> audit.record(actor, "executor.unblock", Executor.ENTITY, crmId, "ACCEPTED",
                                    RequestIds.current(), null))
                            .map(v -> ExecutorView.of(e));
                });
    }

    static Uni<Executor> find(String crmId) {
        return Executor.<Executor>findById(RequestIds.checkCrmId(crmId))
                .onItem().ifNull().failWith(() -> BridgeException.notFound("executor", crmId));
    }

    private void setPayoutMethod(Executor e, ExecutorRequest.PayoutMethod method) {
        String number = method.number();
        PayoutSecrets.Sealed sealed = secrets.seal(number);
        e.payoutType = method.type();
        e.payoutLast4 = PersonalDataRules.last4(number);
        e.payoutBik = "BANK_ACCOUNT".equals(method.type()) ? method.bik() : null;
        e.payoutSecret = sealed.bytes();
        e.payoutKeyId = sealed.keyId();
        e.payoutFingerprint = secrets.fingerprint(number);
    }

    private boolean payoutMethodChanged(Executor e, ExecutorRequest.PayoutMethod method) {
        return !Objects.equals(e.payoutType, method.type()) || !Objects.equals(e.payoutBik,
                "BANK_ACCOUNT".equals(method.type()) ? method.bik() : null)
                || !Objects.equals(e.payoutFingerprint, secrets.fingerprint(method.number()));
    }

    /** An executor as other features may see it, in the caller's session; null when there is none. */
    public Uni<ExecutorRef> ref(String crmId) {
        return Executor.<Executor>findById(crmId).map(e -> e == null ? null
                : new ExecutorRef(e.crmId, e.madetaskId, e.status, e.syncState));
    }

    /**
     * Full name and ИНН of each of these executors the bridge has (the unknown ones are left out), by crmId: one
     * statement, no session. For the payout registry only; what it answers is personal data (see
     * {@link ExecutorIdentity}).
     */
    public Uni<Map<String, ExecutorIdentity>> identities(Collection<String> crmIds) {
        return store.identities(crmIds);
    }

    /** The named executors as the payout feature sees them, in the caller's session; unknown ones are missing. */
    public Uni<java.util.Map<String, ExecutorForPayout>> forPayout(java.util.Collection<String> crmIds) {
        if (crmIds.isEmpty()) {
            return Uni.createFrom().item(java.util.Map.of());
        }
        return Executor.<Executor>list("crmId in ?1", crmIds).map(list -> {
            java.util.Map<String, ExecutorForPayout> map = new java.util.HashMap<>();
            for (Executor e : list) {
                map.put(e.crmId, forPayout(e));
            }
            return map;
        });
    }

    /** Executors whose sync with MadeTask FAILED, waiting for a person (EXECUTOR_SYNC). */
    @Override
    public Uni<List<Figures>> figures() {
        return store.failedSyncCount().map(n -> List.of(new Figures("EXECUTOR_SYNC", 0, null, n, null)));
    }
}
