package io.madetask.bridge.crm;

import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import io.madetask.bridge.work.Backlog;
import io.madetask.bridge.work.WorkQueue;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * All SQL on {@code notification}. Rows are written by the database's triggers (V4), in the transaction of the change
 * they report; this reads them, claims them for sending, records each try, and deletes old ones.
 */
@ApplicationScoped
class NotificationStore {

    private static final String CLAIM = """
            update notification set locked_by = $1, locked_until = now() + make_interval(secs => $2),
                   attempts = attempts + 1, updated_at = now()
            where id in (
                select id from notification
                where status = 'PENDING' and next_attempt_at <= now()
                  and (locked_until is null or locked_until < now())
                order by next_attempt_at, created_at
                limit $3
                for update skip locked)
            returning id, type, data::text as data, attempts, created_at""";

    private static final String RECORD = """
            update notification set status = $2, last_status_code = $3, last_error = $4,
                   next_attempt_at = coalesce($5, next_attempt_at),
                   delivered_at = case when $2 = 'DELIVERED' then now() else delivered_at end,
                   locked_by = null, locked_until = null, updated_at = now()
            where id = $1 and locked_by = $6""";

    private static final String COLUMNS = """
            id, type, entity_type, entity_id, status, attempts, last_status_code, last_error, next_attempt_at,
            created_at, updated_at, delivered_at, data""";

    /** The list's filters; a filter left null matches everything. */
    private static final String FILTERS = """
            where ($1::text is null or status = $1) and ($2::text is null or type = $2)
              and ($3::text is null or entity_type = $3) and ($4::text is null or entity_id = $4)""";

    private final Pool pool;

    NotificationStore(Pool pool) {
        this.pool = pool;
    }

    WorkQueue queue(String instanceId) {
        return new WorkQueue(pool, "notification", "id", String.class, "attempts", instanceId);
    }

    Uni<List<NotificationSender.Claimed>> claim(String instanceId, Duration lease, int limit) {
        return pool.preparedQuery(CLAIM).execute(Tuple.of(instanceId, lease.toMillis() / 1000.0, limit))
                .map(rows -> {
                    List<NotificationSender.Claimed> list = new ArrayList<>();
                    for (Row r : rows) {
                        list.add(new NotificationSender.Claimed(r.getString("id"), r.getString("type"),
                                r.getString("data"), r.getInteger("attempts"), r.getOffsetDateTime("created_at")));
                    }
                    return list;
                });
    }

    /** A try's outcome, only while this instance holds the claim. */
    Uni<Void> record(String id, String status, Integer code, String error, OffsetDateTime next, String instanceId) {
        return pool.preparedQuery(RECORD).execute(Tuple.tuple().addString(id).addString(status)
                .addInteger(code).addString(error).addOffsetDateTime(next).addString(instanceId))
                .replaceWithVoid();
    }

    /** Deletes delivered notifications (and, with no CRM to send to, unsent ones) older than {@code age}. */
    Uni<Integer> purge(boolean unsentToo, Duration age) {
        return pool.preparedQuery(unsentToo ? PURGE_ALL : PURGE_DELIVERED).execute(Tuple.of((double) age.toSeconds()))
                .map(r -> r.rowCount());
    }

    private static final String PURGE_DELIVERED = """
            delete from notification where status = 'DELIVERED' and created_at < now() - make_interval(secs => $1)""";
    private static final String PURGE_ALL = """
            delete from notification where status in ('DELIVERED', 'PENDING')
              and created_at < now() - make_interval(secs => $1)""";

    /** A page of the list, newest first, with the total of the filter. */
    Uni<List<Row>> page(String status, String type, String entityType, String entityId, int limit, int offset) {
        return pool.preparedQuery("select " + COLUMNS + ", count(*) over () as total from notification " + FILTERS
                + " order by created_at desc, id limit $5 offset $6")
                .execute(Tuple.tuple().addString(status).addString(type).addString(entityType).addString(entityId)
                        .addInteger(limit).addInteger(offset))
                .map(rows -> {
                    List<Row> list = new ArrayList<>();
                    rows.forEach(list::add);
                    return list;
                });
    }

    Uni<Long> count(String status, String type, String entityType, String entityId) {
        return pool.preparedQuery("select count(*) from notification " + FILTERS)
                .execute(Tuple.tuple().addString(status).addString(type).addString(entityType).addString(entityId))
                .map(rows -> rows.iterator().next().getLong(0));
    }

    /** The notification, or null. */
    Uni<Row> get(String id) {
        return pool.preparedQuery("select " + COLUMNS + " from notification where id = $1").execute(Tuple.of(id))
                .map(rows -> rows.rowCount() == 0 ? null : rows.iterator().next());
    }

    /**
     * Records whether notifications are sent (a CRM callback URL is configured) and, when not, moves those waiting
     * and not claimed to UNSENT. Answers how many moved.
     */
    Uni<Integer> delivery(boolean enabled) {
        return pool.withTransaction(c -> c.preparedQuery(
                "update notification_delivery set enabled = $1, updated_at = now()").execute(Tuple.of(enabled))
                .flatMap(done -> enabled ? Uni.createFrom().item(0) : c.query("""
                        update notification set status = 'UNSENT', updated_at = now()
                        where status = 'PENDING' and locked_by is null""").execute().map(r -> r.rowCount())));
    }

    /** Due again now with a fresh count of tries, if FAILED, DELIVERED or UNSENT; answers whether it was. */
    Uni<Boolean> redeliver(SqlClient c, String id) {
        return c.preparedQuery("""
                update notification set status = 'PENDING', attempts = 0, next_attempt_at = now(), last_error = null,
                       updated_at = now()
                where id = $1 and status in ('FAILED', 'DELIVERED', 'UNSENT') returning id""").execute(Tuple.of(id))
                .map(updated -> updated.rowCount() > 0);
    }

    <T> Uni<T> inTransaction(java.util.function.Function<io.vertx.mutiny.sqlclient.SqlConnection, Uni<T>> work) {
        return pool.withTransaction(work);
    }

    Uni<Backlog.Figures> backlog() {
        return pool.query("""
                select (select count(*) from notification where status = 'PENDING') as pending,
                       (select count(*) from notification where status = 'FAILED') as failed,
                       (select min(created_at) from notification where status = 'PENDING') as oldest""").execute()
                .map(rows -> {
                    Row r = rows.iterator().next();
                    OffsetDateTime oldest = r.getOffsetDateTime("oldest");
                    return new Backlog.Figures("NOTIFICATION", r.getLong("pending"), null, r.getLong("failed"),
                            oldest == null ? null : oldest.toInstant());
                });
    }
}
