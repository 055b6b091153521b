package io.madetask.bridge.sync;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;

import org.jboss.logging.Logger;

import io.madetask.bridge.common.Gauges;
import io.madetask.bridge.madetask.MadeTaskClient;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;
import io.madetask.bridge.work.Backlog;

/**
 * The state of all background work, read from the database (so every instance answers the same), for the status
 * endpoint and for the {@code bridge.outbox.*} gauges, which are refreshed every 15 seconds. Each owner of work reports
 * its own figures ({@link Backlog}); this adds them up by kind and never reads another feature's tables.
 */
@ApplicationScoped
public class SyncStatusService {

    private static final Logger LOG = Logger.getLogger(SyncStatusService.class);

    static final List<String> KINDS = List.of("EXECUTOR_SYNC", "TASK_SYNC", "PAYOUT", "NOTIFICATION", "EVENT");

    private final SyncStore store;
    private final Instance<Backlog> backlogs;
    private final Instance<EventLog> events;
    private final MadeTaskClient client;
    private final Vertx vertx;
    private final Map<String, SyncStatusView.Work> latest = new ConcurrentHashMap<>();
    private long timer = -1;

    SyncStatusService(SyncStore store, Instance<Backlog> backlogs, Instance<EventLog> events, MadeTaskClient client,
            Vertx vertx, MeterRegistry meters) {
        this.store = store;
        this.backlogs = backlogs;
        this.events = events;
        this.client = client;
        this.vertx = vertx;
        for (String kind : KINDS) {
            Tags tags = Tags.of("kind", kind);
            Gauges.register(meters, "bridge.outbox.depth", tags, "Work waiting to be carried out (refreshed every 15 s)",
                    null, () -> lastFigure(kind, SyncStatusView.Work::pending));
            Gauges.register(meters, "bridge.outbox.failed", tags, "Work given up as FAILED, waiting for a person",
                    null, () -> lastFigure(kind, SyncStatusView.Work::failed));
            Gauges.register(meters, "bridge.outbox.oldest.age", tags, "Age of the oldest waiting work", "seconds",
                    () -> lastFigure(kind, SyncStatusView.Work::oldestPendingAgeSeconds));
        }
        Gauges.register(meters, "bridge.payouts.processing", Tags.empty(),
                "Payouts MadeTask accepted and has not settled yet", null,
                () -> lastFigure("PAYOUT", SyncStatusView.Work::processing));
    }

    /** A figure of the last refresh; 0 before the first one, or where the kind has no such figure. */
    private Number lastFigure(String kind, Function<SyncStatusView.Work, Number> figure) {
        SyncStatusView.Work work = latest.get(kind);
        Number value = work == null ? null : figure.apply(work);
        return value == null ? 0 : value;
    }

    void start(@Observes StartupEvent event) {
        timer = vertx.setPeriodic(1_000, Duration.ofSeconds(15).toMillis(), t -> work().subscribe().with(w -> { },
                e -> LOG.debugf("Refreshing the outbox gauges failed: %s", e.toString())));
    }

    void stop(@Observes ShutdownEvent event) {
        if (timer >= 0) {
            vertx.cancelTimer(timer);
        }
    }

    public Uni<SyncStatusView> status() {
        MadeTaskClient.Reachability r = client.reachability();
        SyncStatusView.MadeTask madetask = new SyncStatusView.MadeTask(client.breakerState().name(), r.reachable(),
                r.lastAnswerAt(), r.lastFailureAt(), r.lastFailure());
        Uni<SyncStatusView.Event> lastEvent = events.isResolvable() ? events.get().lastEvent()
                : Uni.createFrom().nullItem();
        return work().flatMap(work -> lastEvent.flatMap(last -> store.runs().map(runs -> {
            Long oldest = work.stream().map(SyncStatusView.Work::oldestPendingAgeSeconds)
                    .filter(a -> a != null).max(Long::compare).orElse(null);
            return new SyncStatusView(Instant.now(), madetask, work, oldest, last, runs.get(JobRuns.CATCH_UP),
                    runs.get(JobRuns.RECONCILIATION), runs.get(JobRuns.DAILY_RECONCILIATION));
        })));
    }

    /** Pending and failed work by kind; also refreshes the gauges. */
    Uni<List<SyncStatusView.Work>> work() {
        List<Uni<List<Backlog.Figures>>> parts = new ArrayList<>();
        backlogs.forEach(b -> parts.add(b.figures()));
        return Uni.join().all(parts).andFailFast().map(all -> {
            Map<String, Backlog.Figures> byKind = new LinkedHashMap<>();
            KINDS.forEach(kind -> byKind.put(kind, new Backlog.Figures(kind, 0, null, 0, null)));
            all.forEach(list -> list.forEach(f -> byKind.merge(f.kind(), f, SyncStatusService::add)));
            List<SyncStatusView.Work> work = new ArrayList<>();
            Instant now = Instant.now();
            for (Backlog.Figures f : byKind.values()) {
                SyncStatusView.Work w = new SyncStatusView.Work(f.kind(), f.pending(), f.processing(), f.failed(),
                        f.oldestPending() == null ? null
                                : Math.max(0, Duration.between(f.oldestPending(), now).toSeconds()));
                work.add(w);
                latest.put(w.kind(), w);
            }
            return work;
        });
    }

    private static Backlog.Figures add(Backlog.Figures a, Backlog.Figures b) {
        Long processing = a.processing();
        if (b.processing() != null) {
            processing = processing == null ? b.processing() : Long.valueOf(processing + b.processing());
        }
        Instant oldest = a.oldestPending() == null ? b.oldestPending()
                : b.oldestPending() == null || a.oldestPending().isBefore(b.oldestPending()) ? a.oldestPending()
                : b.oldestPending();
        return new Backlog.Figures(a.kind(), a.pending() + b.pending(), processing, a.failed() + b.failed(), oldest);
    }
}
