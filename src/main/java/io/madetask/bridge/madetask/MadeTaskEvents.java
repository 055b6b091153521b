package io.madetask.bridge.madetask;

import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.persistence.LockModeType;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.madetask.bridge.common.BackgroundTx;
import io.madetask.bridge.executor.ExecutorSync;
import io.madetask.bridge.payout.PayoutSettlement;
import io.madetask.bridge.sync.SyncConfig;
import io.madetask.bridge.task.TaskSync;
import io.madetask.bridge.sync.JobRuns;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;

/**
 * MadeTask's events in, from webhooks and from the event log. Each event is applied once (its id is stored with the
 * change, in one transaction), and never lets an older version overwrite a newer one. The log is read from the stored
 * cursor at start-up and every {@code bridge.sync.catch-up-interval}, so a lost webhook changes nothing in the end.
 */
@ApplicationScoped
public class MadeTaskEvents {

    private static final Logger LOG = Logger.getLogger(MadeTaskEvents.class);
    private static final int PAGE = 500;

    private final ExecutorSync executors;
    private final TaskSync tasks;
    private final MadeTaskClient client;
    private final ObjectMapper json;
    private final SyncConfig config;
    private final Vertx vertx;
    private final BackgroundTx tx;
    private final PayoutSettlement payouts;
    private final JobRuns runs;
    private final Pool pool;
    private final MeterRegistry meters;
    private final AtomicBoolean catchingUp = new AtomicBoolean();
    private long timer = -1;

    MadeTaskEvents(ExecutorSync executors, TaskSync tasks, MadeTaskClient client, ObjectMapper json,
            SyncConfig config, Vertx vertx, BackgroundTx tx, PayoutSettlement payouts, JobRuns runs,
            MeterRegistry meters, Pool pool) {
        this.pool = pool;
        this.runs = runs;
        this.meters = meters;
        this.tx = tx;
        this.payouts = payouts;
        this.executors = executors;
        this.tasks = tasks;
        this.client = client;
        this.json = json;
        this.config = config;
        this.vertx = vertx;
    }

    void start(@Observes StartupEvent event) {
        if (config.enabled()) {
            vertx.setTimer(1_000, t -> catchUpInBackground());
            timer = vertx.setPeriodic(config.catchUpInterval().toMillis(), t -> catchUpInBackground());
        }
    }

    void stop(@Observes ShutdownEvent event) {
        if (timer >= 0) {
            vertx.cancelTimer(timer);
        }
    }

    /** Applies one event inside the caller's transaction; answers APPLIED, STALE, DUPLICATE, UNKNOWN or IGNORED. */
    public Uni<String> apply(MadeTaskModel.Event event, String source) {
        return Panache.getSession().flatMap(session -> session.createNativeQuery(
                "insert into processed_event (event_id, type, source, outcome, received_at) "
                        + "values (?1, ?2, ?3, 'PENDING', now()) on conflict do nothing")
                .setParameter(1, event.id()).setParameter(2, event.type()).setParameter(3, source)
                .executeUpdate())
                .flatMap(inserted -> inserted == 0 ? Uni.createFrom().item("DUPLICATE")
                        : dispatch(event).flatMap(outcome -> Panache.getSession().flatMap(session -> session
                                .createNativeQuery("update processed_event set outcome = ?1 where event_id = ?2")
                                .setParameter(1, outcome).setParameter(2, event.id()).executeUpdate())
                                .replaceWith(outcome)))
                .invoke(outcome -> meters.counter("bridge.madetask.events", "source", source, "outcome", outcome)
                        .increment());
    }

    private Uni<String> dispatch(MadeTaskModel.Event event) {
        try {
            return switch (event.type()) {
                case "executor.updated" -> executors.applyEvent(json.treeToValue(event.data(), MadeTaskModel.Executor.class));
                case "task.updated" -> tasks.applyEvent(json.treeToValue(event.data(), MadeTaskModel.Task.class));
                case "payout.updated" -> payouts.applyEvent(json.treeToValue(event.data(), MadeTaskModel.Payout.class));
                default -> Uni.createFrom().item("IGNORED");
            };
        } catch (Exception e) {
            return Uni.createFrom().item("UNREADABLE");
        }
    }

    /**
     * Reads the event log from the cursor to its end. Each event is applied in its own short transaction (one the
     * webhook may already have made: then it is a duplicate and changes nothing), and the cursor moves after each page.
     * Answers the events applied.
     */
    public Uni<Integer> catchUp() {
        if (!catchingUp.compareAndSet(false, true)) {
            return Uni.createFrom().item(0);
        }
        return pages()
                .eventually(() -> catchingUp.set(false));
    }

    private Uni<Integer> pages() {
        return tx.session(() -> EventCursor.<EventCursor>findById((short) 1))
                .map(c -> c == null ? null : c.lastEventId)
                .flatMap(after -> client.events(after, PAGE))
                .flatMap(page -> {
                    if (page.items().isEmpty()) {
                        return Uni.createFrom().item(0);
                    }
                    String last = page.items().get(page.items().size() - 1).id();
                    // Most events already came by webhook: one query finds them, and only the others are applied.
                    Uni<Integer> applied = alreadyTaken(page.items())
                            .onItem().transformToMulti(taken -> Multi.createFrom().iterable(page.items())
                                    .select().where(e -> !taken.contains(e.id())))
                            .onItem().transformToUniAndConcatenate(e -> tx.transaction(() -> apply(e, "catch-up")))
                            .collect().asList()
                            .map(outcomes -> (int) outcomes.stream().filter("APPLIED"::equals).count())
                            .call(n -> tx.transaction(() -> EventCursor.<EventCursor>findById((short) 1,
                                    LockModeType.PESSIMISTIC_WRITE).invoke(cursor -> {
                                        if (cursor.lastEventId == null || last.compareTo(cursor.lastEventId) > 0) {
                                            cursor.lastEventId = last;
                                            cursor.updatedAt = Instant.now();
                                        }
                                    })));
                    return applied.flatMap(n -> page.items().size() < PAGE ? Uni.createFrom().item(n)
                            : pages().map(m -> m + n));
                });
    }

    private Uni<Set<String>> alreadyTaken(List<MadeTaskModel.Event> events) {
        return pool.preparedQuery("select event_id from processed_event where event_id = any($1)")
                .execute(Tuple.of((Object) events.stream().map(MadeTaskModel.Event::id).toArray(String[]::new)))
                .map(rows -> {
                    Set<String> ids = new HashSet<>();
                    rows.forEach(r -> ids.add(r.getString(0)));
                    return ids;
                });
    }

    private void catchUpInBackground() {
        catchUp().subscribe().with(n -> {
            runs.ran(JobRuns.CATCH_UP, "OK", n + " events applied");
            if (n > 0) {
                LOG.infof("Caught up with MadeTask's event log: %d events applied", n);
            }
        }, e -> {
            runs.ran(JobRuns.CATCH_UP, "FAILED", e.toString());
            LOG.warnf("Catching up with MadeTask's event log failed: %s", e.toString());
        });
    }
}
