package io.madetask.bridge.sync;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;

import org.jboss.logging.Logger;

import io.madetask.bridge.common.Backoff;
import io.madetask.bridge.common.SafeContext;
import io.madetask.bridge.madetask.MadeTaskClient;
import io.madetask.bridge.work.LeasedWork;
import io.madetask.bridge.work.WorkerIdentity;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;

/**
 * Carries out the outbox. A round claims due operations in one short transaction ({@code FOR UPDATE SKIP LOCKED}, with
 * a lease), at most one per entity and only when no earlier one of that entity is pending, so each entity's work runs
 * in order and no two instances run the same operation. The operations then run with bounded concurrency; each
 * outcome is recorded on its own. A lease that runs out (a crash) makes the operation due again, with the same key.
 */
@ApplicationScoped
public class SyncWorker {

    private static final Logger LOG = Logger.getLogger(SyncWorker.class);
    /** How long work that ran into MadeTask's open circuit waits, uncounted, before it is claimed again. */
    private static final Duration PAUSE = Duration.ofSeconds(1);

    private final SyncStore store;
    private final Vertx vertx;
    private final SyncConfig config;
    private final Map<String, SyncHandler> handlers = new HashMap<>();
    private final String instanceId;
    private final LeasedWork<List<Operation>> pump;

    SyncWorker(SyncStore store, Vertx vertx, SyncConfig config, Instance<SyncHandler> all,
            WorkerIdentity identity, MadeTaskClient client) {
        this.store = store;
        this.vertx = vertx;
        this.config = config;
        all.forEach(h -> handlers.put(h.entityType(), h));
        this.instanceId = identity.id();
        this.pump = new LeasedWork<>("Outbox worker", config.concurrency(),
                store.queue(instanceId), config.lease(),
                client::callBudget, this::claimUnits, this::carryOut, unit -> unit.stream().map(op -> op.id()).toList());
    }

    void start(@Observes StartupEvent event) {
        if (config.enabled()) {
            pump.start(vertx, config.pollInterval());
            LOG.infof("Outbox worker %s started: %d in flight, poll every %d ms", instanceId, config.concurrency(),
                    config.pollInterval().toMillis());
        }
    }


    /** Asks for a round soon (after the caller's transaction has had time to commit). */
    public void wakeUpSoon() {
        pump.wakeUp();
    }

    /** Runs rounds until no due work is left; a round already running takes the request over. */
    public Uni<Integer> drain() {
        // Round after round, not recursion: the depth stays the same however much work is due.
        return Multi.createBy().repeating().uni(this::runRound).whilst(n -> n > 0)
                .collect().with(java.util.stream.Collectors.summingInt(Integer::intValue));
    }

    /** Claims executor creations (in bulk) and other operations, grouped into units of work. */
    private Uni<List<List<Operation>>> claimUnits(int limit) {
        return claim(true, config.claimBatch())
                .flatMap(bulk -> claim(false, limit).map(rest -> {
                    List<Operation> all = new ArrayList<>(bulk);
                    all.addAll(rest);
                    if (!all.isEmpty()) {
                        LOG.debugf("Outbox: %d operations claimed", all.size());
                    }
                    return group(all);
                }));
    }

    /**
     * A round claims only what it can start at once: executor creations (which travel in bulk calls) up to the claim
     * batch, and other operations up to the concurrency, so no claim waits long enough for its lease to run out.
     */
    private Uni<Integer> runRound() {
        return claim(true, config.claimBatch())
                .flatMap(bulk -> claim(false, Math.max(1, config.concurrency())).map(rest -> {
                    List<Operation> all = new ArrayList<>(bulk);
                    all.addAll(rest);
                    return all;
                }))
                .flatMap(ops -> {
            if (ops.isEmpty()) {
                return Uni.createFrom().item(0);
            }
            LOG.debugf("Outbox round: %d operations claimed", ops.size());
            List<List<Operation>> units = group(ops);
            return Multi.createFrom().iterable(units)
                    .onItem().transformToUni(this::carryOut).merge(Math.max(1, config.concurrency()))
                    .collect().asList()
                    .map(done -> ops.size());
        });
    }

    private Uni<List<Operation>> claim(boolean executorCreations, int limit) {
        return store.claim(instanceId, config.lease(), limit, executorCreations);
    }

    /** Batchable operations of one handler travel together (up to 500); every other one alone. */
    private List<List<Operation>> group(List<Operation> ops) {
        Map<String, List<Operation>> batchable = new HashMap<>();
        List<List<Operation>> units = new ArrayList<>();
        for (Operation op : ops) {
            SyncHandler handler = handlers.get(op.entityType());
            if (handler != null && handler.canBatch(op)) {
                batchable.computeIfAbsent(op.entityType(), k -> new ArrayList<>()).add(op);
            } else {
                units.add(List.of(op));
            }
        }
        batchable.forEach((type, list) -> {
            if (list.size() < config.bulkThreshold()) {
                list.forEach(op -> units.add(List.of(op)));
            } else {
                for (int i = 0; i < list.size(); i += 500) {
                    units.add(list.subList(i, Math.min(list.size(), i + 500)));
                }
            }
        });
        return units;
    }

    private Uni<Void> carryOut(List<Operation> unit) {
        SyncHandler handler = handlers.get(unit.get(0).entityType());
        if (handler == null) {
            return Uni.join().all(unit.stream().map(op -> record(null, op,
                    SyncHandler.Outcome.failed("No handler for " + op.entityType()))).toList()).andFailFast()
                    .replaceWithVoid();
        }
        Operation first = unit.get(0);
        Map<String, String> mdc = unit.size() == 1
                ? Map.of("operationId", Long.toString(first.id()), "entity", first.entityType() + " " + first.entityId())
                : Map.of("operationId", first.id() + "+" + (unit.size() - 1), "entity", first.entityType() + " bulk of "
                        + unit.size());
        Uni<List<SyncHandler.Outcome>> outcomes = unit.size() == 1
                ? SafeContext.start(vertx, mdc, () -> handler.handle(first)).map(List::of)
                : SafeContext.start(vertx, mdc, () -> handler.handleBatch(unit));
        return outcomes
                .onFailure().recoverWithItem(e -> {
                    if (e instanceof io.madetask.bridge.madetask.MadeTaskException.CircuitOpen) {
                        return unit.stream().map(op -> SyncHandler.Outcome.PAUSED).toList();
                    }
                    LOG.warnf("Outbox operation %s failed unexpectedly: %s", unit.get(0).id(), e.toString());
                    return unit.stream().map(op -> SyncHandler.Outcome.retry("Unexpected: " + e.getClass().getSimpleName()))
                            .toList();
                })
                .flatMap(results -> {
                    LOG.debugf("Outbox %s %s for %s: %s", unit.get(0).kind(), unit.get(0).entityType(), unit.get(0).entityId(),
                            results.get(0).result());
                    List<Uni<Void>> records = new ArrayList<>();
                    for (int i = 0; i < unit.size(); i++) {
                        records.add(record(handler, unit.get(i), results.get(i)));
                    }
                    return Uni.join().all(records).andCollectFailures().replaceWithVoid();
                })
                .onFailure().invoke(e -> LOG.warnf("Recording an outbox outcome failed: %s", e.toString()))
                .onFailure().recoverWithNull();
    }

    private Uni<Void> record(SyncHandler handler, Operation op, SyncHandler.Outcome outcome) {
        Uni<Void> recorded = switch (outcome.result()) {
            case DONE -> update(op, "DONE", null, null, 0);
            case FAILED -> update(op, "FAILED", outcome.error(), null, 0);
            case WAIT -> update(op, "PENDING", null, Instant.now().plusMillis(500), -1);
            // MadeTask's circuit is open: the operation goes back as it was, no try charged, no backoff; the worker
            // claims nothing more until the breaker lets calls through again.
            case PAUSED -> {
                pump.pause(PAUSE);
                yield update(op, "PENDING", null, Instant.now().plus(PAUSE), -1);
            }
            case RETRY -> update(op, "PENDING", outcome.error(), Instant.now().plus(backoff(op.attempts())), 0);
        };
        if (handler != null && (outcome.result() == SyncHandler.Result.FAILED
                || outcome.result() == SyncHandler.Result.RETRY)) {
            LOG.infof("Outbox %s %s %s for %s: %s (%s)", op.kind(), op.entityType(), outcome.result(), op.entityId(),
                    outcome.error(), op.attempts() == 1 ? "first try" : "try " + op.attempts());
            recorded = recorded.flatMap(v -> SafeContext.run(vertx,
                    () -> handler.markSyncError(op, outcome.error(), outcome.result() == SyncHandler.Result.FAILED)));
        }
        return recorded;
    }

    private Uni<Void> update(Operation op, String status, String error, Instant next, int attemptsDelta) {
        return store.finish(op.id(), status, error, next, attemptsDelta, instanceId);
    }

    Duration backoff(int attempts) {
        return Backoff.doubling(config.retryInitial(), config.retryMax(), attempts);
    }
}
