package io.madetask.bridge.events;

import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import io.madetask.bridge.madetask.MadeTaskModel;
import io.madetask.bridge.sync.EventLog;
import io.madetask.bridge.sync.SyncStatusView;
import io.madetask.bridge.work.Backlog;
import io.madetask.bridge.work.WorkQueue;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;

/** All SQL on the inbox ({@code processed_event}) and the catch-up's position ({@code madetask_event_cursor}). */
@ApplicationScoped
public class EventStore implements EventLog {

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

    private final Pool pool;

    EventStore(Pool pool) {
        this.pool = pool;
    }

    /** An event as the inbox holds it. */
    record Stored(String id, String type, String source, String payload, int attempts) {
    }

    /** The lease columns of the inbox, for the work engine. */
    WorkQueue queue(String instanceId) {
        return new WorkQueue(pool, "processed_event", "event_id", String.class, "attempts", instanceId);
    }

    /** Stores events not seen before (one statement, no session); answers how many were new. */
    Uni<Integer> store(List<MadeTaskModel.Event> events, String source) {
        return store(pool, events, source);
    }

    private static Uni<Integer> store(SqlClient client, List<MadeTaskModel.Event> events, String source) {
        String[] ids = new String[events.size()];
        String[] types = new String[events.size()];
        String[] payloads = new String[events.size()];
        for (int i = 0; i < events.size(); i++) {
            MadeTaskModel.Event e = events.get(i);
            ids[i] = e.id();
            types[i] = e.type();
            payloads[i] = e.data() == null ? null : e.data().toString();
        }
        return client.preparedQuery(STORE).execute(Tuple.of(ids, types, source, payloads)).map(r -> r.rowCount());
    }

    /** A page of the log stored and the catch-up's position moved past it, in one transaction. */
    Uni<Integer> storePage(List<MadeTaskModel.Event> events, String last) {
        return pool.withTransaction((SqlConnection c) -> store(c, events, "catch-up").call(n -> c.preparedQuery("""
                update madetask_event_cursor set last_event_id = coalesce($1, last_event_id), updated_at = now()
                where id = 1""").execute(Tuple.of(last))));
    }

    /** The last event the catch-up stored, or null to read the log from its start. */
    Uni<String> position() {
        return pool.query("select last_event_id from madetask_event_cursor where id = 1").execute()
                .map(rows -> rows.iterator().hasNext() ? rows.iterator().next().getString(0) : null);
    }

    Uni<List<Stored>> claim(String instanceId, Duration lease, int limit) {
        return pool.preparedQuery(CLAIM).execute(Tuple.of(instanceId, lease.toMillis() / 1000.0, limit))
                .map(rows -> {
                    List<Stored> list = new ArrayList<>();
                    for (Row r : rows) {
                        list.add(new Stored(r.getString("event_id"), r.getString("type"), r.getString("source"),
                                r.getString("payload"), r.getInteger("attempts")));
                    }
                    return list;
                });
    }

    /**
     * Records the event as applied, inside the transaction that applied it, only while this instance still holds its
     * claim; answers false when it does not (the caller then rolls the whole transaction back).
     */
    Uni<Boolean> applied(String eventId, String outcome, String instanceId) {
        return ProcessedEvent.update("status = ?5, outcome = ?1, appliedAt = ?2, lockedBy = null, "
                + "lockedUntil = null, lastError = null where eventId = ?3 and lockedBy = ?4 and status = ?6",
                outcome, Instant.now(), eventId, instanceId, InboxStatus.DONE, InboxStatus.PENDING).map(n -> n > 0);
    }

    /** An event whose applying failed: due again after {@code delay}, or left FAILED after its last try. */
    Uni<Void> notApplied(String eventId, boolean last, String error, Duration delay, String instanceId) {
        return pool.preparedQuery("""
                update processed_event set status = $2, last_error = $3, next_attempt_at = $4,
                       locked_by = null, locked_until = null
                where event_id = $1 and locked_by = $5""")
                .execute(Tuple.tuple().addString(eventId).addString((last ? InboxStatus.FAILED : InboxStatus.PENDING).name()).addString(error)
                        .addOffsetDateTime(OffsetDateTime.now(ZoneOffset.UTC).plus(delay)).addString(instanceId))
                .replaceWithVoid();
    }

    /** The inbox's waiting and FAILED events: EVENT. */
    Uni<Backlog.Figures> backlog() {
        return pool.query("""
                select (select count(*) from processed_event where status = 'PENDING') as pending,
                       (select count(*) from processed_event where status = 'FAILED') as failed,
                       (select min(received_at) from processed_event where status = 'PENDING') as oldest""").execute()
                .map(rows -> {
                    Row r = rows.iterator().next();
                    OffsetDateTime oldest = r.getOffsetDateTime("oldest");
                    return new Backlog.Figures("EVENT", r.getLong("pending"), null, r.getLong("failed"),
                            oldest == null ? null : oldest.toInstant());
                });
    }

    @Override
    public Uni<SyncStatusView.Event> lastEvent() {
        return pool.query("""
                select event_id, type, source, outcome, received_at from processed_event
                order by received_at desc limit 1""").execute().map(rows -> {
                    for (Row e : rows) {
                        OffsetDateTime at = e.getOffsetDateTime("received_at");
                        return new SyncStatusView.Event(e.getString("event_id"), e.getString("type"),
                                e.getString("source"), e.getString("outcome"), at == null ? null : at.toInstant());
                    }
                    return null;
                });
    }
}
