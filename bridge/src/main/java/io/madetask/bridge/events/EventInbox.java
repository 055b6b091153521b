package io.madetask.bridge.events;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.madetask.bridge.common.BackgroundTx;
import io.madetask.bridge.common.Backoff;
import io.madetask.bridge.common.SafeContext;
import io.madetask.bridge.madetask.MadeTaskClient;
import io.madetask.bridge.madetask.MadeTaskEventHandler;
import io.madetask.bridge.madetask.MadeTaskException;
import io.madetask.bridge.madetask.MadeTaskModel;
import io.madetask.bridge.sync.JobRuns;
import io.madetask.bridge.sync.SyncConfig;
import io.madetask.bridge.work.Backlog;
import io.madetask.bridge.work.LeasedWork;
import io.madetask.bridge.work.WorkerIdentity;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;

/**
 * MadeTask's events in, through an inbox ({@code processed_event}). A webhook and the catch-up only store an event
 * (once: its id is the key) and are done; a leased-work engine then applies the stored events, each in its own short
 * transaction on a context of its own, and never lets an older version overwrite a newer one. So a webhook is answered
 * at once whatever the load, a delivery the sender gives up on cannot leave a half-used session behind, and nothing is
 * dropped: what is stored is applied, after a crash too.
 * <p>
 * The catch-up reads the event log from the stored position every {@code bridge.sync.catch-up-interval}, one page at a
 * time, following {@code next_cursor}: ids and cursors are opaque, never compared, and only one page is in memory.
 * <p>
 * This package sits above the features: each feature registers a {@link MadeTaskEventHandler} for the event types it
 * owns, and the inbox routes each event to its handler without knowing the features.
 */
@ApplicationScoped
public class EventInbox implements Backlog {

    private static final Logger LOG = Logger.getLogger(EventInbox.class);
    private static final int PAGE = 500;

    private final Map<String, MadeTaskEventHandler<?>> handlers = new HashMap<>();
    private final MadeTaskClient client;
    private final ObjectMapper json;
    private final SyncConfig config;
    private final Vertx vertx;
    private final BackgroundTx tx;
    private final JobRuns runs;
    private final EventStore store;
    private final MeterRegistry meters;
    private final String instanceId;
    private final LeasedWork<EventStore.Stored> inbox;
    private final AtomicBoolean catchingUp = new AtomicBoolean();
    private long timer = -1;

    EventInbox(Instance<MadeTaskEventHandler<?>> all, MadeTaskClient client, ObjectMapper json, SyncConfig config,
            Vertx vertx, BackgroundTx tx, JobRuns runs, MeterRegistry meters,
            EventStore store, WorkerIdentity identity) {
        all.forEach(h -> handlers.put(h.eventType(), h));
        this.store = store;
        this.runs = runs;
        this.meters = meters;
        // every outcome exists (at zero) from start-up, with its HELP text
        for (String source : List.of("webhook", "catch-up")) {
            for (String outcome : List.of("APPLIED", "STALE", "DUPLICATE", "UNKNOWN", "IGNORED", "UNREADABLE",
                    "REJECTED_MISMATCH", "REJECTED_STALE", "REJECTED_MALFORMED")) {
                if (source.equals("catch-up") && outcome.startsWith("REJECTED")) {
                    continue;
                }
                io.micrometer.core.instrument.Counter.builder("bridge.madetask.events")
                        .description("MadeTask events taken (and how they were applied) or refused, by source")
                        .tags("source", source, "outcome", outcome).register(meters);
            }
        }
        this.tx = tx;
        this.client = client;
        this.json = json;
        this.config = config;
        this.vertx = vertx;
        this.instanceId = identity.id();
        this.inbox = new LeasedWork<>("Event inbox", config.eventConcurrency(),
                store.queue(instanceId), config.lease(), null, limit -> store.claim(instanceId, config.lease(), limit),
                this::applyStored, s -> List.of(s.id()));
    }

    void start(@Observes StartupEvent event) {
        if (config.enabled()) {
            inbox.start(vertx, config.pollInterval());
            vertx.setTimer(1_000, t -> catchUpInBackground());
            timer = vertx.setPeriodic(config.catchUpInterval().toMillis(), t -> catchUpInBackground());
        }
    }

    // Its timers stop with the application; the engine itself stops with all the others (work.WorkShutdown).
    void stop(@Observes ShutdownEvent event) {
        if (timer >= 0) {
            vertx.cancelTimer(timer);
            timer = -1;
        }
    }

    /**
     * Stores one event for applying (one statement, no session); answers ACCEPTED, or DUPLICATE when the bridge already
     * has it.
     */
    public Uni<String> receive(MadeTaskModel.Event event, String source) {
        return store.store(List.of(event), source).map(n -> n > 0 ? "ACCEPTED" : "DUPLICATE")
                .invoke(outcome -> {
                    if ("ACCEPTED".equals(outcome)) {
                        inbox.wakeUp();
                    } else {
                        count(source, outcome);
                    }
                });
    }

    /** One stored event: applied with its outcome recorded in one transaction; a failure is tried again later. */
    private Uni<Void> applyStored(EventStore.Stored s) {
        // The outcome is recorded only while this instance still holds the claim; otherwise (its lease ran out and
        // another instance took the event over) the whole transaction is rolled back and the event applied once.
        return SafeContext.start(vertx, Map.of("eventId", s.id()), () -> tx.transaction(() -> dispatch(s)
                .flatMap(outcome -> store.applied(s.id(), outcome, instanceId).map(held -> {
                    if (!held) {
                        throw new IllegalStateException("claim of event " + s.id() + " lost");
                    }
                    return outcome;
                })))
                .invoke(outcome -> count(s.source(), outcome))
                .replaceWithVoid()
                .onFailure().recoverWithUni(e -> failed(s, e)));
    }

    private Uni<Void> failed(EventStore.Stored s, Throwable e) {
        boolean last = s.attempts() >= config.eventMaxAttempts();
        LOG.warnf("Applying MadeTask event %s (%s) failed, try %d%s: %s", s.id(), s.type(), s.attempts(),
                last ? ", left FAILED" : "", e.toString());
        Duration delay = Backoff.doubling(config.retryInitial(), config.retryMax(), s.attempts());
        return store.notApplied(s.id(), last, e.getClass().getSimpleName(), delay, instanceId)
                .onFailure().invoke(f -> LOG.warnf("Recording event %s failed (its lease will run out): %s", s.id(),
                        f.toString()))
                .onFailure().recoverWithNull();
    }

    /** The event to the handler of its type: IGNORED when no feature handles it, UNREADABLE when its data is not. */
    private Uni<String> dispatch(EventStore.Stored s) {
        MadeTaskEventHandler<?> handler = handlers.get(s.type());
        if (handler == null) {
            return Uni.createFrom().item("IGNORED");
        }
        return route(handler, s.payload());
    }

    private <T> Uni<String> route(MadeTaskEventHandler<T> handler, String payload) {
        T data;
        try {
            JsonNode tree = payload == null ? null : json.readTree(payload);
            if (tree == null || !tree.isObject()) {
                return Uni.createFrom().item("UNREADABLE");
            }
            data = json.treeToValue(tree, handler.dataType());
        } catch (Exception e) {
            return Uni.createFrom().item("UNREADABLE");
        }
        if (data == null || !handler.readable(data)) {
            LOG.warn("MadeTask event data the bridge cannot apply (no id, or a status it does not know): recorded "
                    + "UNREADABLE");
            return Uni.createFrom().item("UNREADABLE");
        }
        return handler.apply(data);
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
        return store.position().invoke(after::set)
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
                    List<MadeTaskModel.Event> valid = items.stream().filter(EventInbox::storable).toList();
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
                    return store.storePage(valid, last)
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

    /** Events stored and not applied yet, and those given up as FAILED: EVENT. */
    @Override
    public Uni<List<Figures>> figures() {
        return store.backlog().map(List::of);
    }
}
