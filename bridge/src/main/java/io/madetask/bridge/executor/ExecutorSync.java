package io.madetask.bridge.executor;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.LockModeType;

import io.madetask.bridge.audit.Audit;
import io.madetask.bridge.common.Enums;
import io.madetask.bridge.common.SyncState;
import io.madetask.bridge.common.BackgroundTx;
import io.madetask.bridge.common.PayoutSecrets;
import io.madetask.bridge.madetask.MadeTaskClient;
import io.madetask.bridge.madetask.MadeTaskEventHandler;
import io.madetask.bridge.madetask.MadeTaskException;
import io.madetask.bridge.madetask.MadeTaskModel;
import io.madetask.bridge.sync.SyncHandler;
import io.madetask.bridge.sync.Operation;
import io.madetask.bridge.sync.SyncOutbox;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;

/**
 * Carries executor operations to MadeTask: create (alone or in bulk), update, block, unblock. A duplicate
 * {@code external_id} links the executor MadeTask already has instead of failing. Once MadeTask holds the card or
 * account number, the bridge forgets it.
 */
@ApplicationScoped
public class ExecutorSync implements SyncHandler, MadeTaskEventHandler<MadeTaskModel.Executor> {

    private final MadeTaskClient client;
    private final PayoutSecrets secrets;
    private final Audit audit;
    private final SyncOutbox outbox;
    private final BackgroundTx tx;
    private final jakarta.enterprise.event.Event<ExecutorPayable> payable;

    ExecutorSync(MadeTaskClient client, PayoutSecrets secrets, Audit audit, SyncOutbox outbox, BackgroundTx tx,
            jakarta.enterprise.event.Event<ExecutorPayable> payable) {
        this.tx = tx;
        this.payable = payable;
        this.client = client;
        this.secrets = secrets;
        this.audit = audit;
        this.outbox = outbox;
    }

    /** What an operation needs of the executor, read in a short session; the number opened only for the call. */
    private record Snapshot(String crmId, String madetaskId, long madetaskVersion, String fullName, String phone,
            String email, String inn, String taxStatus, MadeTaskModel.PayoutMethod payoutMethod, String fingerprint) {

        MadeTaskModel.ExecutorCreate createBody() {
            return new MadeTaskModel.ExecutorCreate(crmId, fullName, phone, email, inn, taxStatus, payoutMethod);
        }

        @Override
        public String toString() {
            return "Snapshot[" + crmId + "]";
        }
    }

    @Override
    public String entityType() {
        return Executor.ENTITY;
    }

    @Override
    public boolean canBatch(Operation op) {
        return ExecutorOperation.CREATE.name().equals(op.kind());
    }

    @Override
    public Uni<Outcome> handle(Operation op) {
        ExecutorOperation kind = ExecutorOperation.of(op.kind());
        if (kind == null) {
            return Uni.createFrom().item(Outcome.failed("Unknown operation " + op.kind()));
        }
        return switch (kind) {
            case CREATE -> create(op);
            case UPDATE -> patch(op, null);
            case BLOCK -> patch(op, "BLOCKED");
            case UNBLOCK -> patch(op, "ACTIVE");
        };
    }

    // ---------------------------------------------------------------- create

    private Uni<Outcome> create(Operation op) {
        return snapshots(List.of(op.entityId())).flatMap(found -> {
            Snapshot s = found.get(op.entityId());
            if (s == null) {
                return Uni.createFrom().item(Outcome.DONE);
            }
            if (s.madetaskId() != null) {
                // An event linked the executor while this operation's answer was lost: take MadeTask's state.
                return client.getExecutor(s.madetaskId())
                        .flatMap(mt -> link(List.of(new Linked(op, s, mt, true))).replaceWith(Outcome.DONE))
                        .onFailure(MadeTaskException.class).recoverWithItem(f -> Outcome.of((MadeTaskException) f));
            }
            if (s.payoutMethod() == null) {
                return Uni.createFrom().item(Outcome.failed(
                        "The payout number is no longer held; PUT the executor again with its payout method"));
            }
            return client.createExecutor(s.createBody(), op.idempotencyKey())
                    .flatMap(mt -> link(List.of(new Linked(op, s, mt, false))).replaceWith(Outcome.DONE))
                    .onFailure(MadeTaskException.class)
                    .recoverWithUni(e -> afterRefusal(op, s, (MadeTaskException) e));
        });
    }

    private Uni<Outcome> afterRefusal(Operation op, Snapshot s, MadeTaskException e) {
        if (e instanceof MadeTaskException.Conflict && "duplicate_external_id".equals(e.code())
                && e.existingId().isPresent()) {
            return client.getExecutor(e.existingId().get())
                    .flatMap(mt -> link(List.of(new Linked(op, s, mt, true))).replaceWith(Outcome.DONE))
                    .onFailure(MadeTaskException.class).recoverWithItem(f -> Outcome.of((MadeTaskException) f));
        }
        return Uni.createFrom().item(Outcome.of(e));
    }

    @Override
    public Uni<List<Outcome>> handleBatch(List<Operation> ops) {
        List<String> ids = ops.stream().map(op -> op.entityId()).toList();
        return snapshots(ids).flatMap(found -> {
            Map<Long, Outcome> outcomes = new HashMap<>();
            List<Operation> sending = new ArrayList<>();
            List<Operation> linkedByEvents = new ArrayList<>();
            for (Operation op : ops) {
                Snapshot s = found.get(op.entityId());
                if (s == null) {
                    outcomes.put(op.id(), Outcome.DONE);
                } else if (s.madetaskId() != null) {
                    linkedByEvents.add(op);
                } else if (s.payoutMethod() == null) {
                    outcomes.put(op.id(), Outcome.failed("The payout number is no longer held"));
                } else {
                    sending.add(op);
                }
            }
            Uni<Void> linking = Multi.createFrom().iterable(linkedByEvents)
                    .onItem().transformToUniAndConcatenate(op -> create(op).invoke(o -> outcomes.put(op.id(), o)))
                    .collect().asList().replaceWithVoid();
            if (sending.isEmpty()) {
                return linking.map(v -> ops.stream().map(op -> outcomes.get(op.id())).toList());
            }
            List<MadeTaskModel.ExecutorCreate> items = sending.stream()
                    .map(op -> found.get(op.entityId()).createBody()).toList();
            return linking.flatMap(v -> client.createExecutors(items, bulkKey(sending)))
                    .flatMap(answer -> afterBulk(sending, found, answer, outcomes))
                    .onFailure(MadeTaskException.class).recoverWithItem(e -> {
                        sending.forEach(op -> outcomes.put(op.id(), Outcome.of((MadeTaskException) e)));
                        return null;
                    })
                    .map(ignored -> ops.stream().map(op -> outcomes.getOrDefault(op.id(),
                            Outcome.retry("No outcome recorded"))).toList());
        });
    }

    private Uni<Void> afterBulk(List<Operation> sent, Map<String, Snapshot> found,
            MadeTaskModel.BulkResponse answer, Map<Long, Outcome> outcomes) {
        Map<String, Operation> byCrmId = sent.stream().collect(Collectors.toMap(op -> op.entityId(), op -> op));
        List<Linked> linked = new ArrayList<>();
        List<Uni<Linked>> lookups = new ArrayList<>();
        for (MadeTaskModel.BulkResult result : answer.results()) {
            Operation op = byCrmId.get(result.externalId());
            if (op == null) {
                continue;
            }
            Snapshot s = found.get(op.entityId());
            if (result.status() == 201 && result.executor() != null) {
                linked.add(new Linked(op, s, result.executor(), false));
            } else if (result.status() == 409 && result.error() != null && result.error().existingId() != null) {
                lookups.add(client.getExecutor(result.error().existingId()).map(mt -> new Linked(op, s, mt, true))
                        .onFailure(MadeTaskException.class).recoverWithItem(e -> {
                            outcomes.put(op.id(), Outcome.of((MadeTaskException) e));
                            return null;
                        }));
            } else {
                MadeTaskModel.Problem p = result.error();
                outcomes.put(op.id(), Outcome.refused(result.status(), p == null ? "" : p.code(),
                        p == null ? null : p.errors()));
            }
        }
        Uni<List<Linked>> fetched = lookups.isEmpty() ? Uni.createFrom().item(List.of())
                : Multi.createFrom().iterable(lookups).onItem().transformToUniAndMerge(u -> u).collect().asList();
        return fetched.flatMap(more -> {
            List<Linked> all = new ArrayList<>(linked);
            more.stream().filter(Objects::nonNull).forEach(all::add);
            all.forEach(l -> outcomes.put(l.op().id(), Outcome.DONE));
            sent.forEach(op -> outcomes.putIfAbsent(op.id(), Outcome.retry("No result for this executor in the bulk answer")));
            return all.isEmpty() ? Uni.createFrom().voidItem() : link(all);
        });
    }

    private record Linked(Operation op, Snapshot sent, MadeTaskModel.Executor madetask, boolean existed) {
    }

    /** Records MadeTask's ids and state for executors it created or already had, in one transaction. */
    private Uni<Void> link(List<Linked> all) {
        Map<String, Linked> byCrmId = all.stream().collect(Collectors.toMap(l -> l.op().entityId(), l -> l, (a, b) -> a));
        List<Long> opIds = all.stream().map(l -> l.op().id()).toList();
        return tx.transaction(() -> Executor.<Executor>find("crmId in ?1 order by crmId", byCrmId.keySet())
                .withLock(LockModeType.PESSIMISTIC_WRITE).list()
                .flatMap(executors -> outbox.othersPending(Executor.ENTITY, byCrmId.keySet(), opIds).flatMap(busy -> {
                    List<Audit.Line> lines = new ArrayList<>();
                    List<Uni<?>> followUps = new ArrayList<>();
                    for (Executor e : executors) {
                        Linked l = byCrmId.get(e.crmId);
                        e.madetaskId = l.madetask().id();
                        applyRemote(e, l.madetask(), !statusMoving(busy.get(e.crmId)));
                        boolean same = !l.existed() || sameData(e, l.madetask());
                        if (same && Objects.equals(e.payoutFingerprint, l.sent().fingerprint())) {
                            forgetNumber(e);
                        }
                        if (!same) {
                            followUps.add(outbox.enqueue(Executor.ENTITY, e.crmId, ExecutorOperation.UPDATE, null));
                        }
                        markSynced(e, busy.containsKey(e.crmId) || !same);
                        lines.add(new Audit.Line(l.existed() ? "madetask.executor.link" : "madetask.executor.create",
                                Executor.ENTITY, e.crmId, "DONE", l.op().idempotencyKey(),
                                "madetaskId " + e.madetaskId + ", " + e.status));
                    }
                    Uni<Void> chain = audit.recordAll(Audit.SYSTEM, lines);
                    for (Uni<?> followUp : followUps) {
                        chain = chain.flatMap(v -> followUp.replaceWithVoid());
                    }
                    return chain;
                })));
    }

    // ---------------------------------------------------------------- update, block, unblock

    private Uni<Outcome> patch(Operation op, String status) {
        return snapshots(List.of(op.entityId())).flatMap(found -> {
            Snapshot s = found.get(op.entityId());
            if (s == null) {
                return Uni.createFrom().item(Outcome.DONE);
            }
            if (s.madetaskId() == null) {
                return Uni.createFrom().item(Outcome.WAIT);
            }
            MadeTaskModel.ExecutorPatch patch = status != null
                    ? new MadeTaskModel.ExecutorPatch(null, null, null, null, status)
                    : new MadeTaskModel.ExecutorPatch(s.fullName(), s.phone(), s.email(), s.payoutMethod(), null);
            String action = status == null ? "madetask.executor.update"
                    : "BLOCKED".equals(status) ? "madetask.executor.block" : "madetask.executor.unblock";
            return client.patchExecutor(s.madetaskId(), s.madetaskVersion(), patch)
                    .flatMap(mt -> tx.transaction(() -> Executor.<Executor>findById(s.crmId(),
                            LockModeType.PESSIMISTIC_WRITE).flatMap(e -> outbox.othersPending(Executor.ENTITY, Set.of(e.crmId), List.of(op.id()))
                                    .flatMap(busy -> {
                                        applyRemote(e, mt, !statusMoving(busy.get(e.crmId)));
                                        if (Objects.equals(e.payoutFingerprint, s.fingerprint())) {
                                            forgetNumber(e);
                                        }
                                        markSynced(e, !busy.isEmpty());
                                        return audit.record(Audit.SYSTEM, action, Executor.ENTITY, e.crmId, "DONE",
                                                op.idempotencyKey(), "MadeTask version " + mt.version() + ", " + mt.status());
                                    }))))
                    .replaceWith(Outcome.DONE)
                    .onFailure(MadeTaskException.VersionMismatch.class).recoverWithUni(e -> refreshVersion(s))
                    .onFailure(MadeTaskException.class).recoverWithItem(e -> Outcome.of((MadeTaskException) e));
        });
    }

    /** MadeTask has a newer version than the bridge knew: take it, and try the PATCH again soon. */
    private Uni<Outcome> refreshVersion(Snapshot s) {
        return client.getExecutor(s.madetaskId())
                .flatMap(mt -> tx.transaction(() -> Executor.<Executor>findById(s.crmId(),
                        LockModeType.PESSIMISTIC_WRITE).invoke(e -> e.madetaskVersion = Math.max(e.madetaskVersion,
                                mt.version()))))
                .replaceWith(Outcome.WAIT);
    }

    // ---------------------------------------------------------------- events and errors

    /** Applies MadeTask's view of an executor (from an event), unless the bridge already knows a newer version. */
    @Override
    public String eventType() {
        return "executor.updated";
    }

    @Override
    public Class<MadeTaskModel.Executor> dataType() {
        return MadeTaskModel.Executor.class;
    }

    @Override
    public boolean readable(MadeTaskModel.Executor mt) {
        return MadeTaskModel.present(mt.id()) && Enums.known(ExecutorStatus.class, mt.status()) && mt.version() >= 0;
    }

    @Override
    public Uni<String> apply(MadeTaskModel.Executor mt) {
        return Executor.<Executor>find("madetaskId", mt.id()).withLock(LockModeType.PESSIMISTIC_WRITE).firstResult()
                .flatMap(e -> e != null ? Uni.createFrom().item(e)
                        : Executor.<Executor>findById(mt.externalId() == null ? "" : mt.externalId(),
                                LockModeType.PESSIMISTIC_WRITE))
                .flatMap(e -> {
                    if (e == null) {
                        return Uni.createFrom().item("UNKNOWN");
                    }
                    if (e.madetaskId == null) {
                        e.madetaskId = mt.id();
                    }
                    return outbox.othersPending(Executor.ENTITY, Set.of(e.crmId), List.of(-1L))
                            .map(busy -> applyRemote(e, mt, !statusMoving(busy.get(e.crmId))) ? "APPLIED" : "STALE");
                });
    }

    @Override
    public Uni<Void> markSyncError(Operation op, String error, boolean permanent) {
        return tx.transaction(() -> Executor.<Executor>findById(op.entityId(), LockModeType.PESSIMISTIC_WRITE)
                .flatMap(e -> {
            if (e == null) {
                return Uni.createFrom().voidItem();
            }
            e.lastError = error;
            if (permanent) {
                e.syncState = SyncState.FAILED;
            }
            return permanent ? audit.record(Audit.SYSTEM, "madetask.executor." + op.kind().toLowerCase(), Executor.ENTITY,
                    e.crmId, "FAILED", op.idempotencyKey(), error) : Uni.createFrom().voidItem();
        }));
    }

    /** MadeTask's view of the executor taken, unless stale; answers whether it was taken. */
    boolean applyRemote(Executor e, MadeTaskModel.Executor mt, boolean takeStatus) {
        boolean payableBefore = e.payable && e.status == ExecutorStatus.ACTIVE;
        boolean applied = take(e, mt, takeStatus);
        if (applied && !payableBefore && e.payable && e.status == ExecutorStatus.ACTIVE) {
            payable.fire(new ExecutorPayable(e.crmId));
        }
        return applied;
    }

    private static boolean take(Executor e, MadeTaskModel.Executor mt, boolean takeStatus) {
        if (mt.version() < e.madetaskVersion) {
            return false;
        }
        boolean changed = takeStatus && (!Objects.equals(e.status.name(), mt.status()) || e.payable != mt.payable());
        e.madetaskVersion = mt.version();
        if (takeStatus) {
            e.status = ExecutorStatus.valueOf(mt.status());
            e.payable = mt.payable();
        }
        if (changed) {
            e.version++;
            e.updatedAt = Instant.now();
        }
        return true;
    }

    static boolean sameData(Executor e, MadeTaskModel.Executor mt) {
        MadeTaskModel.PayoutMethod pm = mt.payoutMethod();
        String last4 = pm == null ? null : "CARD".equals(pm.type()) ? pm.cardLast4() : pm.accountLast4();
        return Objects.equals(e.fullName, mt.fullName()) && Objects.equals(e.phone, mt.phone())
                && Objects.equals(e.email, mt.email()) && pm != null && Objects.equals(e.payoutType, pm.type())
                && Objects.equals(e.payoutLast4, last4);
    }

    private static void forgetNumber(Executor e) {
        e.payoutSecret = null;
        e.payoutKeyId = null;
    }

    static void markSynced(Executor e, boolean morePending) {
        e.lastSyncedAt = Instant.now();
        e.lastError = null;
        e.syncState = morePending ? SyncState.PENDING : SyncState.SYNCED;
    }

    /** A block or unblock still on its way to MadeTask: the local status stands until its answer. */
    static boolean statusMoving(Set<String> pendingKinds) {
        return pendingKinds != null
                && (pendingKinds.contains(ExecutorOperation.BLOCK.name())
                        || pendingKinds.contains(ExecutorOperation.UNBLOCK.name()));
    }

    private Uni<Map<String, Snapshot>> snapshots(List<String> crmIds) {
        return tx.session(() -> Executor.<Executor>list("crmId in ?1", crmIds)).map(list -> {
            Map<String, Snapshot> map = new HashMap<>();
            for (Executor e : list) {
                MadeTaskModel.PayoutMethod pm = null;
                if (e.payoutSecret != null) {
                    String number = secrets.open(e.payoutKeyId, e.payoutSecret);
                    pm = "CARD".equals(e.payoutType) ? MadeTaskModel.PayoutMethod.card(number)
                            : MadeTaskModel.PayoutMethod.bankAccount(number, e.payoutBik);
                }
                map.put(e.crmId, new Snapshot(e.crmId, e.madetaskId, e.madetaskVersion, e.fullName, e.phone, e.email,
                        e.inn, e.taxStatus, pm, e.payoutFingerprint));
            }
            return map;
        });
    }

    private static String bulkKey(List<Operation> ops) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            ops.stream().map(op -> op.idempotencyKey()).sorted()
                    .forEach(k -> digest.update((k + "\n").getBytes(StandardCharsets.UTF_8)));
            return "bridge-executor-bulk-" + HexFormat.of().formatHex(digest.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
