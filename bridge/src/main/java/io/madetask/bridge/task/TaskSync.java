package io.madetask.bridge.task;

import java.time.Instant;
import java.util.Objects;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.LockModeType;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.madetask.bridge.audit.Audit;
import io.madetask.bridge.common.Enums;
import io.madetask.bridge.common.SyncState;
import io.madetask.bridge.common.BackgroundTx;
import io.madetask.bridge.common.Money;
import io.madetask.bridge.executor.ExecutorService;
import io.madetask.bridge.madetask.MadeTaskClient;
import io.madetask.bridge.madetask.MadeTaskEventHandler;
import io.madetask.bridge.madetask.MadeTaskException;
import io.madetask.bridge.madetask.MadeTaskModel;
import io.madetask.bridge.sync.SyncHandler;
import io.madetask.bridge.sync.Operation;
import io.madetask.bridge.sync.SyncOutbox;
import io.smallrye.mutiny.Uni;

/** Carries task operations to MadeTask: create (once its executor is there), update, and the client's moves. */
@ApplicationScoped
public class TaskSync implements SyncHandler, MadeTaskEventHandler<MadeTaskModel.Task> {

    private final MadeTaskClient client;
    private final Audit audit;
    private final ObjectMapper json;
    private final BackgroundTx tx;
    private final TaskPayouts payouts;
    private final ExecutorService executors;
    private final SyncOutbox outbox;

    TaskSync(MadeTaskClient client, Audit audit, ObjectMapper json, BackgroundTx tx, TaskPayouts payouts,
            ExecutorService executors, SyncOutbox outbox) {
        this.tx = tx;
        this.executors = executors;
        this.outbox = outbox;
        this.payouts = payouts;
        this.client = client;
        this.audit = audit;
        this.json = json;
    }

    private record Snapshot(String crmId, String madetaskId, long madetaskVersion, String executorMadetaskId,
            SyncState executorSyncState, String title, String description, Money reward, String deadline) {
    }

    @Override
    public String entityType() {
        return Task.ENTITY;
    }

    @Override
    public Uni<Outcome> handle(Operation op) {
        return snapshot(op.entityId()).flatMap(s -> {
            if (s == null) {
                return Uni.createFrom().item(Outcome.DONE);
            }
            TaskOperation kind = TaskOperation.of(op.kind());
            if (kind == null) {
                return Uni.createFrom().item(Outcome.failed("Unknown operation " + op.kind()));
            }
            return switch (kind) {
                case CREATE -> create(op, s);
                case UPDATE -> update(op, s);
                case TRANSITION -> transition(op, s);
            };
        });
    }

    private Uni<Outcome> create(Operation op, Snapshot s) {
        if (s.madetaskId() != null) {
            // An event linked the task while this operation's answer was lost: take MadeTask's state and close it.
            return client.getTask(s.madetaskId())
                    .flatMap(mt -> record(op, s, mt, "madetask.task.link", true))
                    .onFailure(MadeTaskException.class).recoverWithItem(f -> Outcome.of((MadeTaskException) f));
        }
        if (s.executorMadetaskId() == null) {
            return Uni.createFrom().item(s.executorSyncState() == SyncState.FAILED
                    ? Outcome.failed("The task's executor could not be created in MadeTask")
                    : Outcome.WAIT);
        }
        MadeTaskModel.TaskCreate body = new MadeTaskModel.TaskCreate(s.crmId(), s.executorMadetaskId(), s.title(),
                s.description(), s.reward(), s.deadline());
        return client.createTask(body, op.idempotencyKey())
                .flatMap(mt -> record(op, s, mt, "madetask.task.create", true))
                .onFailure(MadeTaskException.class).recoverWithUni(e -> {
                    MadeTaskException m = (MadeTaskException) e;
                    if (m instanceof MadeTaskException.Conflict && "duplicate_external_id".equals(m.code())
                            && m.existingId().isPresent()) {
                        return client.getTask(m.existingId().get())
                                .flatMap(mt -> record(op, s, mt, "madetask.task.link", true))
                                .onFailure(MadeTaskException.class).recoverWithItem(f -> Outcome.of((MadeTaskException) f));
                    }
                    return Uni.createFrom().item(Outcome.of(m));
                });
    }

    private Uni<Outcome> update(Operation op, Snapshot s) {
        if (s.madetaskId() == null) {
            return Uni.createFrom().item(Outcome.WAIT);
        }
        MadeTaskModel.TaskPatch patch = new MadeTaskModel.TaskPatch(s.title(), s.description(), s.reward(),
                s.deadline());
        return client.patchTask(s.madetaskId(), s.madetaskVersion(), patch)
                .flatMap(mt -> record(op, s, mt, "madetask.task.update", true))
                .onFailure(MadeTaskException.VersionMismatch.class).recoverWithUni(e -> refresh(s).replaceWith(Outcome.WAIT))
                .onFailure(MadeTaskException.class).recoverWithUni(e -> {
                    MadeTaskException m = (MadeTaskException) e;
                    if ("task_not_editable".equals(m.code())) {
                        // MadeTask moved on (the executor submitted, say): take its state, and say why the edit failed.
                        return refresh(s).replaceWith(Outcome.failed("MadeTask refused the edit: task_not_editable"));
                    }
                    return Uni.createFrom().item(Outcome.of(m));
                });
    }

    private Uni<Outcome> transition(Operation op, Snapshot s) {
        if (s.madetaskId() == null) {
            return Uni.createFrom().item(Outcome.WAIT);
        }
        JsonNode payload;
        try {
            payload = json.readTree(op.payload());
        } catch (Exception e) {
            return Uni.createFrom().item(Outcome.failed("Unreadable transition"));
        }
        String to = payload.path("to").asText();
        String comment = payload.path("comment").isTextual() ? payload.path("comment").asText() : null;
        return client.transitionTask(s.madetaskId(), new MadeTaskModel.Transition(to, comment), op.idempotencyKey())
                .flatMap(mt -> record(op, s, mt, "madetask.task.transition", true))
                .onFailure(MadeTaskException.class).recoverWithUni(e -> {
                    MadeTaskException m = (MadeTaskException) e;
                    if (!"invalid_transition".equals(m.code())) {
                        return Uni.createFrom().item(Outcome.of(m));
                    }
                    // Already there (an earlier try went through), or MadeTask's task is elsewhere: take its state.
                    return client.getTask(s.madetaskId()).flatMap(mt -> {
                        boolean arrived = mt.status().equals(to) || ("ACCEPTED".equals(to) && "PAID".equals(mt.status()));
                        Uni<Outcome> recorded = record(op, s, mt, "madetask.task.transition", arrived)
                                .replaceWith(arrived ? Outcome.DONE : Outcome.failed(
                                        "MadeTask refused " + to + ": the task is " + mt.status() + " there"));
                        return arrived || !"ACCEPTED".equals(to) ? recorded
                                : recorded.call(() -> tx.transaction(() -> payouts.acceptanceRefused(s.crmId(),
                                        "TASK_NOT_ACCEPTED", "MadeTask would not accept the task: it is "
                                                + mt.status() + " there")));
                    }).onFailure(MadeTaskException.class).recoverWithItem(f -> Outcome.of((MadeTaskException) f));
                });
    }

    private Uni<Outcome> record(Operation op, Snapshot s, MadeTaskModel.Task mt, String action, boolean success) {
        return tx.transaction(() -> Task.<Task>findById(s.crmId(), LockModeType.PESSIMISTIC_WRITE)
                .flatMap(t -> outbox.pendingBesides(Task.ENTITY, t.crmId, op.id()).flatMap(others -> {
                            if (t.madetaskId == null) {
                                t.madetaskId = mt.id();
                            }
                            applyRemote(t, mt, true);
                            if (success) {
                                t.lastSyncedAt = Instant.now();
                                t.lastError = null;
                                t.syncState = others > 0 ? SyncState.PENDING : SyncState.SYNCED;
                            }
                            return audit.record(Audit.SYSTEM, action, Task.ENTITY, t.crmId, success ? "DONE" : "REFUSED",
                                    op.idempotencyKey(), "MadeTask " + mt.id() + " version " + mt.version() + ", " + mt.status())
                                    .call(() -> acceptedThere(t, mt) ? payouts.acceptanceInMadeTask(t.crmId, mt.id())
                                            : Uni.createFrom().voidItem());
                        })))
                .replaceWith(Outcome.DONE);
    }

    private Uni<Void> refresh(Snapshot s) {
        return client.getTask(s.madetaskId())
                .flatMap(mt -> tx.transaction(() -> Task.<Task>findById(s.crmId(), LockModeType.PESSIMISTIC_WRITE)
                        .invoke(t -> applyRemote(t, mt, true))))
                .replaceWithVoid();
    }

    /**
     * Applies MadeTask's view of a task (from an event), unless the bridge knows a newer version. While a move of
     * the client's is still on its way to MadeTask, the local status stands; the move's answer settles it.
     */
    @Override
    public String eventType() {
        return "task.updated";
    }

    @Override
    public Class<MadeTaskModel.Task> dataType() {
        return MadeTaskModel.Task.class;
    }

    @Override
    public boolean readable(MadeTaskModel.Task mt) {
        return MadeTaskModel.present(mt.id()) && Enums.known(TaskStatus.class, mt.status()) && mt.version() >= 0;
    }

    @Override
    public Uni<String> apply(MadeTaskModel.Task mt) {
        return Task.<Task>find("madetaskId", mt.id()).withLock(LockModeType.PESSIMISTIC_WRITE).firstResult()
                .flatMap(t -> t != null ? Uni.createFrom().item(t)
                        : Task.<Task>findById(mt.externalId() == null ? "" : mt.externalId(),
                                LockModeType.PESSIMISTIC_WRITE))
                .flatMap(t -> {
                    if (t == null) {
                        return Uni.createFrom().item("UNKNOWN");
                    }
                    if (t.madetaskId == null) {
                        t.madetaskId = mt.id();
                    }
                    return outbox.pending(Task.ENTITY, t.crmId, TaskOperation.TRANSITION)
                            .flatMap(moving -> {
                                if (!applyRemote(t, mt, moving == 0)) {
                                    return Uni.createFrom().item("STALE");
                                }
                                // Accepted here: the payout is made; it may go once MadeTask has the task accepted.
                                return t.status == TaskStatus.ACCEPTED || t.status == TaskStatus.PAID
                                        ? payouts.accepted(t.crmId, t.executorCrmId, t.reward,
                                                acceptedThere(t, mt) ? mt.id() : null).replaceWith("APPLIED")
                                        : Uni.createFrom().item("APPLIED");
                            });
                });
    }

    /**
     * Whether MadeTask's view shows the task accepted (or paid) while it is accepted here too; records that fact on
     * the task, which a payout batch reads as "MadeTask has it, the payout may go".
     */
    private static boolean acceptedThere(Task t, MadeTaskModel.Task mt) {
        boolean accepted = ("ACCEPTED".equals(mt.status()) || "PAID".equals(mt.status()))
                && (t.status == TaskStatus.ACCEPTED || t.status == TaskStatus.PAID);
        if (accepted) {
            t.acceptedInMadetask = true;
        }
        return accepted;
    }

    static boolean applyRemote(Task t, MadeTaskModel.Task mt, boolean takeStatus) {
        if (mt.version() < t.madetaskVersion) {
            return false;
        }
        t.madetaskVersion = mt.version();
        if (takeStatus && !Objects.equals(t.status.name(), mt.status())) {
            t.status = TaskStatus.valueOf(mt.status());
            t.version++;
            t.updatedAt = Instant.now();
        }
        return true;
    }

    @Override
    public Uni<Void> markSyncError(Operation op, String error, boolean permanent) {
        return tx.transaction(() -> Task.<Task>findById(op.entityId(), LockModeType.PESSIMISTIC_WRITE)
                .flatMap(t -> {
            if (t == null) {
                return Uni.createFrom().voidItem();
            }
            t.lastError = error;
            if (permanent) {
                t.syncState = SyncState.FAILED;
            }
            return permanent ? audit.record(Audit.SYSTEM, "madetask.task." + op.kind().toLowerCase(), Task.ENTITY, t.crmId,
                    "FAILED", op.idempotencyKey(), error) : Uni.createFrom().voidItem();
        }));
    }

    private Uni<Snapshot> snapshot(String crmId) {
        return tx.session(() -> Task.<Task>findById(crmId).flatMap(t -> t == null
                ? Uni.createFrom().nullItem()
                : executors.ref(t.executorCrmId).map(e -> new Snapshot(t.crmId, t.madetaskId,
                        t.madetaskVersion, e.madetaskId(), e.syncState(), t.title, t.description, Money.rub(t.reward),
                        t.deadline == null ? null : t.deadline.toString()))));
    }
}
