package io.madetask.bridge.sync;

import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.jboss.logging.Logger;

import io.madetask.bridge.common.Gauges;
import io.madetask.bridge.madetask.MadeTaskClient;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;

/**
 * The state of all background work, read from the database (so every instance answers the same), for the status
 * endpoint and for the {@code bridge.outbox.*} gauges, which are refreshed every 15 seconds.
 */
@ApplicationScoped
public class SyncStatusService {

    private static final Logger LOG = Logger.getLogger(SyncStatusService.class);

    static final List<String> KINDS = List.of("EXECUTOR_SYNC", "TASK_SYNC", "PAYOUT", "NOTIFICATION", "EVENT");

    private static final String WORK = """
            select 'EXECUTOR_SYNC' as kind,
                   (select count(*) from sync_operation where status = 'PENDING' and entity_type = 'EXECUTOR') as pending,
                   null::bigint as processing,
                   (select count(*) from executor where sync_state = 'FAILED') as failed,
                   (select min(created_at) from sync_operation where status = 'PENDING' and entity_type = 'EXECUTOR') as oldest
            union all
            select 'TASK_SYNC',
                   (select count(*) from sync_operation where status = 'PENDING' and entity_type = 'TASK'),
                   null,
                   (select count(*) from task where sync_state = 'FAILED'),
                   (select min(created_at) from sync_operation where status = 'PENDING' and entity_type = 'TASK')
            union all
            select 'PAYOUT',
                   (select count(*) from payout where status = 'PENDING'),
                   (select count(*) from payout where status = 'PROCESSING'),
                   (select count(*) from payout where status = 'FAILED'),
                   (select min(created_at) from payout where status in ('PENDING', 'PROCESSING'))
            union all
            select 'NOTIFICATION',
                   (select count(*) from notification where status = 'PENDING'),
                   null,
                   (select count(*) from notification where status = 'FAILED'),
                   (select min(created_at) from notification where status = 'PENDING')
            union all
            select 'EVENT',
                   (select count(*) from processed_event where status = 'PENDING'),
                   null,
                   (select count(*) from processed_event where status = 'FAILED'),
                   (select min(received_at) from processed_event where status = 'PENDING')""";

    private final Pool pool;
    private final MadeTaskClient client;
    private final Vertx vertx;
    private final Map<String, SyncStatusView.Work> latest = new ConcurrentHashMap<>();
    private long timer = -1;

    SyncStatusService(Pool pool, MadeTaskClient client, Vertx vertx, MeterRegistry meters) {
        this.pool = pool;
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
        return work().flatMap(work -> pool.query("""
                select event_id, type, source, outcome, received_at from processed_event
                order by received_at desc limit 1""").execute()
                .flatMap(events -> pool.query("select name, last_run_at, outcome, detail from job_run").execute()
                        .map(runs -> {
                            SyncStatusView.Event last = null;
                            for (Row e : events) {
                                last = new SyncStatusView.Event(e.getString("event_id"), e.getString("type"),
                                        e.getString("source"), e.getString("outcome"), instant(e, "received_at"));
                            }
                            SyncStatusView.Run catchUp = null;
                            SyncStatusView.Run reconciliation = null;
                            for (Row run : runs) {
                                SyncStatusView.Run view = new SyncStatusView.Run(instant(run, "last_run_at"),
                                        run.getString("outcome"), run.getString("detail"));
                                if (JobRuns.CATCH_UP.equals(run.getString("name"))) {
                                    catchUp = view;
                                } else if (JobRuns.RECONCILIATION.equals(run.getString("name"))) {
                                    reconciliation = view;
                                }
                            }
                            Long oldest = work.stream().map(SyncStatusView.Work::oldestPendingAgeSeconds)
                                    .filter(a -> a != null).max(Long::compare).orElse(null);
                            return new SyncStatusView(Instant.now(), madetask, work, oldest, last, catchUp,
                                    reconciliation);
                        })));
    }

    /** Pending and failed work by kind; also refreshes the gauges. */
    Uni<List<SyncStatusView.Work>> work() {
        return pool.query(WORK).execute().map(rows -> {
            List<SyncStatusView.Work> work = new ArrayList<>();
            Instant now = Instant.now();
            for (Row r : rows) {
                Instant oldest = instant(r, "oldest");
                SyncStatusView.Work w = new SyncStatusView.Work(r.getString("kind"), r.getLong("pending"),
                        r.getLong("processing"), r.getLong("failed"),
                        oldest == null ? null : Math.max(0, Duration.between(oldest, now).toSeconds()));
                work.add(w);
                latest.put(w.kind(), w);
            }
            return work;
        });
    }

    private static Instant instant(Row r, String column) {
        OffsetDateTime t = r.getOffsetDateTime(column);
        return t == null ? null : t.toInstant();
    }
}
