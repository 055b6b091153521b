package io.madetask.bridge.executor;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.LockModeType;

import org.jboss.logging.Logger;

import io.madetask.bridge.audit.Audit;
import io.madetask.bridge.common.SyncState;
import io.madetask.bridge.common.BackgroundTx;
import io.madetask.bridge.common.SafeContext;
import io.madetask.bridge.madetask.MadeTaskClient;
import io.madetask.bridge.madetask.MadeTaskException;
import io.madetask.bridge.madetask.MadeTaskModel;
import io.madetask.bridge.sync.SyncJobs;
import io.madetask.bridge.sync.SyncOutbox;
import io.madetask.bridge.sync.SyncWorker;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;

/**
 * A full two-way resync of executors, as a background job: every executor MadeTask lists is matched with the bridge's
 * (by MadeTask id, else by external id = crmId). MadeTask's newer state (status, payable) comes in, under the same
 * version rule as events; the bridge's own data (name, phone, email, payout method) goes out where MadeTask differs;
 * an executor MadeTask does not have is created there while the bridge still holds its payout number, and marked
 * FAILED otherwise. Executors with work still on its way to MadeTask are left to that work. Counts as it goes:
 * scanned, linked, updatedFromMadeTask, pushedToMadeTask, inSync, repaired, busy, createdInMadeTask,
 * missingInMadeTask, unknownInBridge, conflicts.
 */
@ApplicationScoped
public class ExecutorResync {

    public static final String KIND = "EXECUTOR_RESYNC";

    private static final Logger LOG = Logger.getLogger(ExecutorResync.class);
    private static final int PAGE = 500;

    private final MadeTaskClient client;
    private final SyncJobs jobs;
    private final SyncOutbox outbox;
    private final SyncWorker worker;
    private final BackgroundTx tx;
    private final Audit audit;
    private final ExecutorStore store;
    private final Vertx vertx;
    private final ExecutorSync sync;

    ExecutorResync(MadeTaskClient client, SyncJobs jobs, SyncOutbox outbox, SyncWorker worker, BackgroundTx tx,
            Audit audit, ExecutorStore store, Vertx vertx, ExecutorSync sync) {
        this.sync = sync;
        this.client = client;
        this.jobs = jobs;
        this.outbox = outbox;
        this.worker = worker;
        this.tx = tx;
        this.audit = audit;
        this.store = store;
        this.vertx = vertx;
    }

    /** Starts a resync, or answers the one already running. */
    public Uni<SyncJobs.Started> start(String actor) {
        return jobs.begin(KIND, actor).invoke(s -> {
            if (s.started()) {
                String id = s.job().id();
                LOG.infof("Executor resync %s started", id);
                SafeContext.run(vertx, () -> run(id)).subscribe().with(v -> { },
                        e -> LOG.errorf("Executor resync %s ended unexpectedly: %s", id, e.toString()));
            }
        });
    }

    private static final class Counts {
        final Map<String, Long> values = new ConcurrentHashMap<>();

        void add(String name) {
            values.merge(name, 1L, Long::sum);
        }

        Map<String, Long> snapshot() {
            Map<String, Long> ordered = new LinkedHashMap<>();
            for (String k : List.of("scanned", "linked", "updatedFromMadeTask", "pushedToMadeTask", "inSync",
                    "repaired", "busy", "createdInMadeTask", "missingInMadeTask", "unknownInBridge", "conflicts")) {
                ordered.put(k, values.getOrDefault(k, 0L));
            }
            return ordered;
        }
    }

    Uni<Void> run(String jobId) {
        Counts counts = new Counts();
        Set<String> seen = ConcurrentHashMap.newKeySet();
        java.util.concurrent.atomic.AtomicReference<String> cursor = new java.util.concurrent.atomic.AtomicReference<>();
        // Page after page, not recursion: the depth stays the same however many executors MadeTask has.
        return io.smallrye.mutiny.Multi.createBy().repeating().uni(() -> page(jobId, cursor, counts, seen))
                .whilst(more -> more).collect().last()
                .flatMap(v -> notInMadeTask(seen, counts))
                .flatMap(v -> tx.transaction(() -> audit.record(Audit.SYSTEM, "sync.executors", "SYNC_JOB", jobId,
                        "COMPLETED", jobId, counts.snapshot().toString())))
                .flatMap(v -> jobs.finish(jobId, counts.snapshot(), null))
                .invoke(v -> {
                    worker.wakeUpSoon();
                    LOG.infof("Executor resync %s completed: %s", jobId, counts.snapshot());
                })
                .onFailure().recoverWithUni(e -> {
                    String why = e instanceof MadeTaskException m ? "MadeTask: " + m.summary() : e.toString();
                    LOG.warnf("Executor resync %s FAILED: %s", jobId, why);
                    return jobs.finish(jobId, counts.snapshot(), why);
                });
    }

    /** One page, applied; answers whether another follows (the cursor then names it). */
    private Uni<Boolean> page(String jobId, java.util.concurrent.atomic.AtomicReference<String> cursor, Counts counts,
            Set<String> seen) {
        return client.listExecutors(new MadeTaskModel.ListQuery(null, null, null, null, cursor.get(), PAGE))
                .flatMap(page -> tx.transaction(() -> apply(page.items(), counts, seen))
                        .flatMap(v -> jobs.progress(jobId, counts.snapshot()))
                        .map(v -> {
                            cursor.set(page.nextCursor());
                            return page.nextCursor() != null && !page.items().isEmpty();
                        }));
    }

    /** One page of MadeTask's executors against the bridge's, in one transaction. */
    private Uni<Void> apply(List<MadeTaskModel.Executor> remote, Counts counts, Set<String> seen) {
        List<String> madetaskIds = remote.stream().map(MadeTaskModel.Executor::id).toList();
        List<String> crmIds = remote.stream().map(MadeTaskModel.Executor::externalId).filter(Objects::nonNull).toList();
        return Executor.<Executor>find("madetaskId in ?1 or crmId in ?2 order by crmId", madetaskIds,
                crmIds.isEmpty() ? List.of("") : crmIds).withLock(LockModeType.PESSIMISTIC_WRITE).list()
                .flatMap(locals -> {
                    Map<String, Executor> byMadetaskId = new HashMap<>();
                    Map<String, Executor> byCrmId = new HashMap<>();
                    for (Executor e : locals) {
                        byCrmId.put(e.crmId, e);
                        if (e.madetaskId != null) {
                            byMadetaskId.put(e.madetaskId, e);
                        }
                    }
                    return outbox.othersPending(Executor.ENTITY, byCrmId.keySet().isEmpty() ? Set.of("") : byCrmId.keySet(),
                            List.of(-1L)).flatMap(pending -> {
                        List<Uni<?>> pushes = new ArrayList<>();
                        for (MadeTaskModel.Executor mt : remote) {
                            counts.add("scanned");
                            Executor e = byMadetaskId.getOrDefault(mt.id(),
                                    mt.externalId() == null ? null : byCrmId.get(mt.externalId()));
                            if (e == null) {
                                counts.add("unknownInBridge");
                                continue;
                            }
                            if (e.madetaskId != null && !e.madetaskId.equals(mt.id())) {
                                counts.add("conflicts");
                                continue;
                            }
                            seen.add(e.crmId);
                            if (e.madetaskId == null) {
                                e.madetaskId = mt.id();
                                counts.add("linked");
                            }
                            Set<String> busy = pending.get(e.crmId);
                            ExecutorStatus status = e.status;
                            boolean payable = e.payable;
                            sync.applyRemote(e, mt, !ExecutorSync.statusMoving(busy));
                            if (status != e.status || payable != e.payable) {
                                counts.add("updatedFromMadeTask");
                            }
                            if (busy != null) {
                                counts.add("busy");
                            } else if (!ExecutorSync.sameData(e, mt)) {
                                e.syncState = SyncState.PENDING;
                                pushes.add(outbox.enqueue(Executor.ENTITY, e.crmId, ExecutorOperation.UPDATE, null));
                                counts.add("pushedToMadeTask");
                            } else if (e.syncState != SyncState.SYNCED) {
                                ExecutorSync.markSynced(e, false);
                                counts.add("repaired");
                            } else {
                                counts.add("inSync");
                            }
                        }
                        return inTurn(pushes);
                    });
                });
    }

    /** Runs the outbox writes of one transaction one after the other (a session does one thing at a time). */
    private static Uni<Void> inTurn(List<Uni<?>> writes) {
        return Multi.createFrom().iterable(writes).onItem().transformToUniAndConcatenate(w -> w)
                .collect().asList().replaceWithVoid();
    }

    /** The bridge's executors MadeTask did not list: created there when possible, else marked FAILED. */
    private Uni<Void> notInMadeTask(Set<String> seen, Counts counts) {
        return store.crmIds().flatMap(all -> {
            Set<String> missing = new HashSet<>();
            for (String crmId : all) {
                if (!seen.contains(crmId)) {
                    missing.add(crmId);
                }
            }
            if (missing.isEmpty()) {
                return Uni.createFrom().voidItem();
            }
            return tx.transaction(() -> Executor.<Executor>find("crmId in ?1 order by crmId", missing)
                    .withLock(LockModeType.PESSIMISTIC_WRITE).list()
                    .flatMap(locals -> outbox.othersPending(Executor.ENTITY, missing, List.of(-1L)).flatMap(pending -> {
                        List<Uni<?>> creates = new ArrayList<>();
                        for (Executor e : locals) {
                            if (pending.containsKey(e.crmId)) {
                                counts.add("busy");
                            } else if (e.madetaskId == null && e.payoutSecret != null) {
                                e.syncState = SyncState.PENDING;
                                creates.add(outbox.enqueue(Executor.ENTITY, e.crmId, ExecutorOperation.CREATE, null));
                                counts.add("createdInMadeTask");
                            } else {
                                e.syncState = SyncState.FAILED;
                                e.lastError = e.madetaskId == null
                                        ? "Not in MadeTask and the payout number is no longer held: PUT the executor again"
                                        : "MadeTask no longer lists executor " + e.madetaskId;
                                counts.add("missingInMadeTask");
                            }
                        }
                        return inTurn(creates);
                    })));
        });
    }
}
