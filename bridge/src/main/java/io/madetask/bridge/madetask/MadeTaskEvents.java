package io.madetask.bridge.madetask;

import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.madetask.bridge.common.BackgroundTx;
import io.madetask.bridge.common.Backoff;
import io.madetask.bridge.common.SafeContext;
import io.madetask.bridge.common.ShutdownConfig;
import io.madetask.bridge.executor.ExecutorSync;
import io.madetask.bridge.payout.PayoutSettlement;
import io.madetask.bridge.sync.JobRuns;
import io.madetask.bridge.sync.SyncConfig;
import io.madetask.bridge.task.TaskSync;
import io.madetask.bridge.work.LeasedWork;
import io.madetask.bridge.work.WorkQueue;
import io.madetask.bridge.work.WorkerIdentity;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.runtime.ShutdownDelayInitiatedEvent;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * MadeTask's events in, through an inbox ({@code processed_event}). A webhook and the catch-up only store an event
 * (once: its id is the key) and are done; a leased-work engine then applies the stored events, each in its own short
 * transaction on a context of its own, and never lets an older version overwrite a newer one. So a webhook is answered
 * at once whatever the load, a delivery the sender gives up on cannot leave a half-used session behind, and nothing is
 * dropped: what is stored is applied, after a crash too.
 * <p>
 * The catch-up reads the event log from the stored position every {@code bridge.sync.catch-up-interval}, one page at a
 * time, following {@code next_cursor}: ids and cursors are opaque, never compared, and only one page is in memory.
 */
@ApplicationScoped
public class MadeTaskEvents {

    private static final Logger LOG = Logger.getLogger(MadeTaskEvents.class);
    private static final int PAGE = 500;

    private static final String STORE = """
            insert into processed_event (event_id, type, source, outcome, status, payload, received_at)
            select id, type, $3, 'PENDING', 'PENDING', payload, now()
            from unnest($1::text[], $2::text[], $4::text[]) as e(id, type, payload)
            on conflict (event_id) do nothing""";

    private static final String CLAIM = """
            update processed_event set locked_by = $1, locked_until = now() + make_interval(secs => $2),
                   attempts = attempts + 1
            where event_id in (
                select event_id from processed_event
                where status = 'PENDING' and next_attempt_at <= now()
                  and (locked_until is null or locked_until < now())
                order by seq
                limit $3
                for update skip locked)
            returning event_id, type, source, payload, attempts""";

    private final ExecutorSync executors;
    private final TaskSync tasks;
    private final MadeTaskClient client;
    private final ObjectMapper json;
    private final SyncConfig config;
    private final ShutdownConfig shutdown;
    private final Vertx vertx;
    private final BackgroundTx tx;
    private final PayoutSettlement payouts;
    private final JobRuns runs;
    private final Pool pool;
    private final MeterRegistry meters;
    private final String instanceId;
    private final LeasedWork<Stored> inbox;
    private final AtomicBoolean catchingUp = new AtomicBoolean();
    private long timer = -1;

    MadeTaskEvents(ExecutorSync executors, TaskSync tasks, MadeTaskClient client, ObjectMapper json,
            SyncConfig config, ShutdownConfig shutdown, Vertx vertx, BackgroundTx tx, PayoutSettlement payouts,
            JobRuns runs, MeterRegistry meters, Pool pool, WorkerIdentity identity) {
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
        this.shutdown = shutdown;
        this.vertx = vertx;
        this.instanceId = identity.id();
        this.inbox = new LeasedWork<>("Event inbox", config.eventConcurrency(),
                new WorkQueue(pool, "processed_event", "event_id", String.class, "attempts", instanceId),
                config.lease(), null, this::claim, this::applyStored, s -> List.of(s.id()));
    }

    /** An event as the inbox holds it. */
    record Stored(String id, String type, String source, String payload, int attempts) {
    }

    void start(@Observes StartupEvent event) {
        if (config.enabled()) {
            inbox.start(vertx, config.pollInterval());
            vertx.setTimer(1_000, t -> catchUpInBackground());
            timer = vertx.setPeriodic(config.catchUpInterval().toMillis(), t -> catchUpInBackground());
        }
    }

    // On SIGTERM Quarkus fires this first, while the database pool still works.
    void beforeShutdown(@Observes ShutdownDelayInitiatedEvent event) {
        stopWork();
    }

    void stop(@Observes ShutdownEvent event) {
        stopWork();
    }

    private void stopWork() {
        if (timer >= 0) {
            vertx.cancelTimer(timer);
            timer = -1;
        }
        inbox.stopGracefully(shutdown.grace());
    }

    /**
     * Stores one event for applying (one statement, no session); answers ACCEPTED, or DUPLICATE when the bridge already
     * has it.
     */
    public Uni<String> receive(MadeTaskModel.Event event, String source) {
        return store(List.of(event), source).map(n -> n > 0 ? "ACCEPTED" : "DUPLICATE")
                .invoke(outcome -> {
                    if ("ACCEPTED".equals(outcome)) {
                        inbox.wakeUp();
                    } else {
                        count(source, outcome);
                    }
                });
    }

    private Uni<Integer> store(List<MadeTaskModel.Event> events, String source) {
        return storeOn(pool.preparedQuery(STORE), events, source);
    }

    private Uni<Integer> storeOn(io.vertx.mutiny.sqlclient.PreparedQuery<io.vertx.mutiny.sqlclient.RowSet<Row>> query,
            List<MadeTaskModel.Event> events, String source) {
        String[] ids = new String[events.size()];
        String[] types = new String[events.size()];
        String[] payloads = new String[events.size()];
        for (int i = 0; i < events.size(); i++) {
            MadeTaskModel.Event e = events.get(i);
            ids[i] = e.id();
            types[i] = e.type();
            payloads[i] = e.data() == null ? null : e.data().toString();
        }
        return query.execute(Tuple.of(ids, types, source, payloads)).map(r -> r.rowCount());
    }

    // ---------------------------------------------------------------- the inbox

    private Uni<List<Stored>> claim(int limit) {
        return pool.preparedQuery(CLAIM)
                .execute(Tuple.of(instanceId, (double) config.lease().toMillis() / 1000, limit))
                .map(rows -> {
                    List<Stored> list = new ArrayList<>();
                    for (Row r : rows) {
                        list.add(new Stored(r.getString("event_id"), r.getString("type"), r.getString("source"),
                                r.getString("payload"), r.getInteger("attempts")));
                    }
                    return list;
                });
    }

    /** One stored event: applied with its outcome recorded in one transaction; a failure is tried again later. */
    private Uni<Void> applyStored(Stored s) {
        // The outcome is recorded only while this instance still holds the claim; otherwise (its lease ran out and
        // another instance took the event over) the whole transaction is rolled back and the event applied once.
        return SafeContext.start(vertx, Map.of("eventId", s.id()), () -> tx.transaction(() -> dispatch(s)
                .flatMap(outcome -> Panache.getSession().flatMap(session -> session.createNativeQuery("""
                        update processed_event set status = 'DONE', outcome = ?1, applied_at = now(),
                               locked_by = null, locked_until = null, last_error = null
                        where event_id = ?2 and locked_by = ?3 and status = 'PENDING'""")
                        .setParameter(1, outcome).setParameter(2, s.id()).setParameter(3, instanceId)
                        .executeUpdate())
                        .map(held -> {
                            if (held == 0) {
                                throw new IllegalStateException("claim of event " + s.id() + " lost");
                            }
                            return outcome;
                        })))
                .invoke(outcome -> count(s.source(), outcome))
                .replaceWithVoid()
                .onFailure().recoverWithUni(e -> failed(s, e)));
    }

    private Uni<Void> failed(Stored s, Throwable e) {
        boolean last = s.attempts() >= config.eventMaxAttempts();
        LOG.warnf("Applying MadeTask event %s (%s) failed, try %d%s: %s", s.id(), s.type(), s.attempts(),
                last ? ", left FAILED" : "", e.toString());
        Duration delay = Backoff.doubling(config.retryInitial(), config.retryMax(), s.attempts());
        return pool.preparedQuery("""
                update processed_event set status = $2, last_error = $3, next_attempt_at = $4,
                       locked_by = null, locked_until = null
                where event_id = $1 and locked_by = $5""")
                .execute(Tuple.tuple().addString(s.id()).addString(last ? "FAILED" : "PENDING")
                        .addString(e.getClass().getSimpleName())
                        .addOffsetDateTime(OffsetDateTime.now(ZoneOffset.UTC).plus(delay)).addString(instanceId))
                .replaceWithVoid()
                .onFailure().invoke(f -> LOG.warnf("Recording event %s failed (its lease will run out): %s", s.id(),
                        f.toString()))
                .onFailure().recoverWithNull();
    }

    private Uni<String> dispatch(Stored s) {
        try {
            JsonNode data = s.payload() == null ? null : json.readTree(s.payload());
            if (data == null || !data.isObject()) {
                return Uni.createFrom().item("UNREADABLE");
            }
            return switch (s.type()) {
                case "executor.updated" -> executors.applyEvent(json.treeToValue(data, MadeTaskModel.Executor.class));
                case "task.updated" -> tasks.applyEvent(json.treeToValue(data, MadeTaskModel.Task.class));
                case "payout.updated" -> payouts.applyEvent(json.treeToValue(data, MadeTaskModel.Payout.class));
                default -> Uni.createFrom().item("IGNORED");
            };
        } catch (Exception e) {
            return Uni.createFrom().item("UNREADABLE");
        }
    }

    private void count(String source, String outcome) {
        meters.counter("bridge.madetask.events", "source", source, "outcome", outcome).increment();
    }

    // ---------------------------------------------------------------- the catch-up

    /**
     * Reads the event log from the stored position to its end (or {@code bridge.sync.catch-up-max-pages} pages), page
     * after page by {@code next_cursor}. Each page is stored in the inbox and the position moved to its last event in
     * one short transaction, then dropped from memory. Answers the events stored that the bridge did not have yet.
     */
    public Uni<Integer> catchUp() {
        if (!catchingUp.compareAndSet(false, true)) {
            return Uni.createFrom().item(0);
        }
        AtomicReference<String> after = new AtomicReference<>();
        AtomicReference<String> cursor = new AtomicReference<>();
        AtomicInteger stored = new AtomicInteger();
        AtomicInteger pages = new AtomicInteger();
        return pool.query("select last_event_id from madetask_event_cursor where id = 1").execute()
                .invoke(rows -> rows.forEach(r -> after.set(r.getString(0))))
                .onItem().transformToMulti(start -> Multi.createBy().repeating()
                        .uni(() -> page(after, cursor, stored))
                        .whilst(more -> more && pages.incrementAndGet() < config.catchUpMaxPages()))
                .collect().last()
                .map(last -> stored.get())
                .invoke(n -> {
                    if (n > 0) {
                        inbox.wakeUp();
                    }
                })
                .eventually(() -> catchingUp.set(false));
    }

    /** Reads, stores and moves past one page; answers whether another page follows. */
    private Uni<Boolean> page(AtomicReference<String> after, AtomicReference<String> cursor, AtomicInteger stored) {
        String from = after.get();
        return client.events(from, cursor.get(), PAGE)
                .onFailure(e -> e instanceof MadeTaskException.Invalid || e instanceof MadeTaskException.NotFound)
                .recoverWithUni(e -> {
                    if (cursor.get() != null) {
                        // A log that does not take its own cursor back: go on from the last event seen instead.
                        LOG.debugf("MadeTask refused its next_cursor (%s); reading after the last event instead",
                                ((MadeTaskException) e).code());
                        cursor.set(null);
                        return client.events(from, null, PAGE);
                    }
                    if (from != null) {
                        // MadeTask no longer knows the stored position (its log keeps 30 days): read all it has.
                        // Events the bridge already has are known by their ids and change nothing.
                        LOG.warnf("MadeTask does not know the stored event position (%s); reading its whole log",
                                ((MadeTaskException) e).code());
                        after.set(null);
                        return client.events(null, null, PAGE);
                    }
                    return Uni.createFrom().failure(e);
                })
                .flatMap(page -> {
                    List<MadeTaskModel.Event> items = page.items() == null ? List.of() : page.items();
                    if (items.isEmpty()) {
                        return Uni.createFrom().item(false);
                    }
                    List<MadeTaskModel.Event> valid = items.stream().filter(MadeTaskEvents::storable).toList();
                    if (valid.size() < items.size()) {
                        LOG.warnf("MadeTask's event log holds %d events without a usable id or type; skipped",
                                items.size() - valid.size());
                    }
                    // The position moves to the page's last event that has an id; a page without one moves it not.
                    String last = valid.isEmpty() ? from : valid.get(valid.size() - 1).id();
                    String next = page.nextCursor() == null || page.nextCursor().isBlank() ? null : page.nextCursor();
                    if (last != null && last.equals(from) && !valid.isEmpty()) {
                        LOG.warnf("MadeTask's event log answered the same page again; the catch-up stops here");
                        return Uni.createFrom().item(false);
                    }
                    return pool.withTransaction((SqlConnection c) -> storeOn(c.preparedQuery(STORE), valid,
                            "catch-up").call(n -> c.preparedQuery("""
                                    update madetask_event_cursor set last_event_id = coalesce($1, last_event_id),
                                           updated_at = now()
                                    where id = 1""").execute(Tuple.of(last))))
                            .map(n -> {
                                stored.addAndGet(n);
                                after.set(last);
                                cursor.set(next);
                                return next != null;
                            });
                });
    }

    /** Whether an event can be kept at all: an id and a type of sane size and characters. */
    public static boolean storable(MadeTaskModel.Event e) {
        return e != null && saneId(e.id()) && saneId(e.type());
    }

    private static boolean saneId(String s) {
        if (s == null || s.isEmpty() || s.length() > 255) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            if (Character.isISOControl(s.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    private void catchUpInBackground() {
        catchUp().subscribe().with(n -> {
            runs.ran(JobRuns.CATCH_UP, "OK", n + " events taken");
            if (n > 0) {
                LOG.infof("Caught up with MadeTask's event log: %d events taken", n);
            }
        }, e -> {
            runs.ran(JobRuns.CATCH_UP, "FAILED", e.toString());
            LOG.warnf("Catching up with MadeTask's event log failed: %s", e.toString());
        });
    }
}
