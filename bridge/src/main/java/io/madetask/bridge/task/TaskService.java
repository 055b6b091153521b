package io.madetask.bridge.task;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.LockModeType;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.madetask.bridge.audit.Audit;
import io.madetask.bridge.common.SyncState;
import io.madetask.bridge.common.BridgeException;
import io.madetask.bridge.common.Enums;
import io.madetask.bridge.common.Filter;
import io.madetask.bridge.common.PageView;
import io.madetask.bridge.common.Problem;
import io.madetask.bridge.common.RequestIds;
import io.madetask.bridge.executor.ExecutorRef;
import io.madetask.bridge.executor.ExecutorStatus;
import io.madetask.bridge.executor.ExecutorService;
import io.madetask.bridge.sync.SyncOutbox;
import io.madetask.bridge.work.Backlog;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.quarkus.hibernate.reactive.panache.common.WithTransaction;
import io.quarkus.panache.common.Sort;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlConnection;

/** Tasks as the CRM writes them, and the client's moves on them. */
@ApplicationScoped
public class TaskService implements Backlog {

    static final Set<TaskStatus> EDITABLE = Set.of(TaskStatus.ASSIGNED, TaskStatus.IN_PROGRESS, TaskStatus.REJECTED);

    private final SyncOutbox outbox;
    private final Audit audit;
    private final ObjectMapper json;
    private final TaskPayouts payouts;
    private final ExecutorService executors;
    private final TaskStore store;

    TaskService(SyncOutbox outbox, Audit audit, ObjectMapper json, TaskPayouts payouts, ExecutorService executors,
            TaskStore store) {
        this.executors = executors;
        this.store = store;
        this.payouts = payouts;
        this.outbox = outbox;
        this.audit = audit;
        this.json = json;
    }

    public record Upserted(TaskView task, boolean created) {
    }

    /** Whether the status machine lets the client move a task from one status to another. */
    static boolean clientMayMove(TaskStatus from, TaskStatus to) {
        return switch (to) {
            case ACCEPTED -> from == TaskStatus.IN_PROGRESS || from == TaskStatus.SUBMITTED;
            case REJECTED -> from == TaskStatus.SUBMITTED;
            case CANCELLED -> Set.of(TaskStatus.ASSIGNED, TaskStatus.IN_PROGRESS, TaskStatus.SUBMITTED,
                    TaskStatus.REJECTED).contains(from);
            default -> false;
        };
    }

    @WithTransaction
    public Uni<Upserted> upsert(String crmId, TaskRequest request, String actor) {
        RequestIds.checkCrmId(crmId);
        if (request == null) {
            throw BridgeException.validation(List.of(new Problem.FieldError("body", "a JSON object is required")));
        }
        request.validate();
        return executors.ref(request.executorCrmId()).flatMap(executor -> {
            if (executor == null) {
                throw BridgeException.validation(List.of(new Problem.FieldError("executorCrmId",
                        "no executor with this crmId")));
            }
            return Task.<Task>findById(crmId, LockModeType.PESSIMISTIC_WRITE).flatMap(existing -> existing == null
                    ? create(crmId, request, executor, actor)
                    : update(existing, request, actor));
        });
    }

    private Uni<Upserted> create(String crmId, TaskRequest request, ExecutorRef executor, String actor) {
        if (executor.status() == ExecutorStatus.BLOCKED) {
            throw new BridgeException(422, "executor_blocked", "Executor blocked",
                    "Executor " + executor.crmId() + " is blocked and cannot take tasks");
        }
        Task t = new Task();
        t.crmId = crmId;
        t.executorCrmId = executor.crmId();
        apply(t, request);
        t.status = TaskStatus.ASSIGNED;
        t.syncState = SyncState.PENDING;
        t.version = 1;
        t.createdAt = t.updatedAt = Instant.now();
        return t.persist()
                .flatMap(saved -> outbox.enqueue(Task.ENTITY, crmId, TaskOperation.CREATE, null))
                .flatMap(op -> audit.record(actor, "task.create", Task.ENTITY, crmId, "ACCEPTED", RequestIds.current(),
                        "executor " + executor.crmId() + ", reward " + t.reward.toPlainString()))
                .map(v -> new Upserted(TaskView.of(t), true));
    }

    private Uni<Upserted> update(Task t, TaskRequest request, String actor) {
        if (!t.executorCrmId.equals(request.executorCrmId())) {
            throw BridgeException.validation(List.of(new Problem.FieldError("executorCrmId",
                    "a task cannot move to another executor")));
        }
        boolean changed = !Objects.equals(t.title, request.title())
                || !Objects.equals(t.description, request.description() == null ? "" : request.description())
                || t.reward.compareTo(request.reward().value()) != 0
                || !Objects.equals(t.deadline, request.deadlineInstant());
        if (!changed) {
            return Uni.createFrom().item(new Upserted(TaskView.of(t), false));
        }
        if (!EDITABLE.contains(t.status)) {
            throw new BridgeException(409, "task_not_editable", "Task not editable",
                    "A task in " + t.status + " cannot be edited");
        }
        apply(t, request);
        t.syncState = SyncState.PENDING;
        t.touch();
        return outbox.enqueue(Task.ENTITY, t.crmId, TaskOperation.UPDATE, null)
                .flatMap(op -> audit.record(actor, "task.update", Task.ENTITY, t.crmId, "ACCEPTED", RequestIds.current(),
                        "reward " + t.reward.toPlainString()))
                .map(v -> new Upserted(TaskView.of(t), false));
    }

    @WithTransaction
    public Uni<TaskView> changeStatus(String crmId, StatusChange change, String actor) {
        RequestIds.checkCrmId(crmId);
        if (change == null || change.status() == null
                || !Set.of("ACCEPTED", "REJECTED", "CANCELLED").contains(change.status())) {
            throw BridgeException.validation(List.of(new Problem.FieldError("status", "ACCEPTED, REJECTED or CANCELLED")));
        }
        if (change.comment() != null && change.comment().length() > 2000) {
            throw BridgeException.validation(List.of(new Problem.FieldError("comment", "at most 2000 characters")));
        }
        return Task.<Task>findById(crmId, LockModeType.PESSIMISTIC_WRITE)
                .onItem().ifNull().failWith(() -> BridgeException.notFound("task", crmId))
                .flatMap(t -> {
                    TaskStatus to = TaskStatus.valueOf(change.status());
                    if (t.status == to || (to == TaskStatus.ACCEPTED && t.status == TaskStatus.PAID)) {
                        return view(t);
                    }
                    if (!clientMayMove(t.status, to)) {
                        throw new BridgeException(409, "invalid_transition", "Invalid transition",
                                "A task in " + t.status + " cannot become " + to);
                    }
                    TaskStatus from = t.status;
                    t.status = to;
                    t.syncState = SyncState.PENDING;
                    t.touch();
                    String payload = json.createObjectNode().put("to", change.status())
                            .put("comment", change.comment()).toString();
                    return outbox.enqueue(Task.ENTITY, crmId, TaskOperation.TRANSITION, payload)
                            .flatMap(op -> audit.record(actor, "task.status", Task.ENTITY, crmId, "ACCEPTED",
                                    RequestIds.current(), from + " -> " + change.status()))
                            .flatMap(v -> "ACCEPTED".equals(change.status())
                                    ? payouts.accepted(t.crmId, t.executorCrmId, t.reward, null)
                                    : Uni.createFrom().voidItem())
                            .flatMap(v -> view(t));
                });
    }

    /** A task as a payout batch sees it, read under the task's row lock. */
    public record ForPayout(String crmId, String status, String madetaskId, String executorCrmId, BigDecimal reward,
            boolean acceptedInMadetask) {
    }

    /**
     * The named tasks, locked until the caller's transaction (a payout batch's, on its connection) ends; those that do
     * not exist are missing from the answer.
     */
    public Uni<Map<String, ForPayout>> lockForPayout(SqlConnection c, List<String> crmIds) {
        return store.lock(c, crmIds);
    }

    /** The named tasks as a payout needs them, read without a lock (a preflight changes nothing). */
    public Uni<Map<String, ForPayout>> forPayout(List<String> crmIds) {
        return store.read(crmIds);
    }

    /**
     * Accepts, as the client would, those of the tasks the client may accept now (IN_PROGRESS or SUBMITTED), on the
     * caller's connection and inside its transaction, with each task's move to MadeTask and its audit line. Answers the
     * tasks accepted.
     */
    public Uni<List<String>> acceptAll(SqlConnection c, List<String> crmIds, String reason, String actor) {
        String payload = json.createObjectNode().put("to", "ACCEPTED").put("comment", reason).toString();
        return store.accept(c, crmIds).call(accepted -> outbox.enqueueAll(c, Task.ENTITY, accepted, TaskOperation.TRANSITION, payload))
                .call(accepted -> audit.recordAll(c, actor, "task.status", Task.ENTITY, accepted, "ACCEPTED",
                        RequestIds.current(), "accepted: " + reason));
    }

    @WithSession
    public Uni<TaskView> get(String crmId) {
        return Task.<Task>findById(RequestIds.checkCrmId(crmId))
                .onItem().ifNull().failWith(() -> BridgeException.notFound("task", crmId))
                .flatMap(this::view);
    }

    @WithSession
    public Uni<PageView<TaskView>> list(String status, String executorCrmId, Instant updatedSince, Integer page,
            Integer size) {
        Filter filter = new Filter().and("status = :status", "status", Enums.parse(TaskStatus.class, status, "status"))
                .and("executorCrmId = :executor", "executor", executorCrmId)
                .and("updatedAt >= :since", "since", updatedSince);
        return Filter.page(Task.<Task>find(filter.query(), Sort.ascending("updatedAt", "crmId"), filter.params()),
                PageView.checked(page, size), items -> payouts.refsOf(items.stream().map(t -> t.crmId).toList())
                        .map(refs -> items.stream().map(t -> TaskView.of(t, refs.get(t.crmId))).toList()));
    }

    private Uni<TaskView> view(Task t) {
        return payouts.refsOf(List.of(t.crmId)).map(refs -> TaskView.of(t, refs.get(t.crmId)));
    }

    private static void apply(Task t, TaskRequest request) {
        t.title = request.title();
        t.description = request.description() == null ? "" : request.description();
        t.reward = request.reward().value();
        t.deadline = request.deadlineInstant();
    }

    /** Tasks whose sync with MadeTask FAILED, waiting for a person (TASK_SYNC). */
    @Override
    public Uni<List<Figures>> figures() {
        return store.failedSyncCount().map(n -> List.of(new Figures("TASK_SYNC", 0, null, n, null)));
    }
}
