package io.madetask.bridge.crm;

import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import jakarta.enterprise.context.ApplicationScoped;

import io.madetask.bridge.common.BridgeException;
import io.madetask.bridge.common.PageView;
import io.madetask.bridge.common.Problem;
import io.madetask.bridge.common.RequestIds;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;

/** Notifications to the CRM as the API shows them: listed, read, and sent again by an admin. */
@ApplicationScoped
public class NotificationService {

    static final Set<String> STATUSES = Set.of("PENDING", "DELIVERED", "FAILED");

    private static final String COLUMNS = """
            id, type, entity_type, entity_id, status, attempts, last_status_code, last_error, next_attempt_at,
            created_at, updated_at, delivered_at, data""";

    /** The list's filters; a filter left null matches everything. */
    private static final String FILTERS = """
            where ($1::text is null or status = $1) and ($2::text is null or type = $2)
              and ($3::text is null or entity_type = $3) and ($4::text is null or entity_id = $4)""";

    private final Pool pool;
    private final NotificationSender sender;

    NotificationService(Pool pool, NotificationSender sender) {
        this.pool = pool;
        this.sender = sender;
    }

    public Uni<PageView<NotificationView>> list(String status, String type, String entityType, String entityId,
            Integer page, Integer size) {
        int[] ps = PageView.checked(page, size);
        if (status != null && !STATUSES.contains(status)) {
            throw BridgeException.validation(List.of(new Problem.FieldError("status", "one of " + STATUSES)));
        }
        return pool.preparedQuery("select " + COLUMNS + ", count(*) over () as total from notification " + FILTERS
                + " order by created_at desc, id limit $5 offset $6")
                .execute(Tuple.tuple().addString(status).addString(type).addString(entityType).addString(entityId)
                        .addInteger(ps[1]).addInteger(ps[0] * ps[1]))
                .flatMap(rows -> {
                    List<NotificationView> items = new ArrayList<>();
                    long total = 0;
                    for (Row r : rows) {
                        items.add(view(r));
                        total = r.getLong("total");
                    }
                    if (items.isEmpty() && ps[0] > 0) {
                        return countThen(ps, status, type, entityType, entityId);
                    }
                    return Uni.createFrom().item(new PageView<>(items, ps[0], ps[1], total));
                });
    }

    /** A page past the end has no rows to carry the total: count it on its own. */
    private Uni<PageView<NotificationView>> countThen(int[] ps, String status, String type, String entityType,
            String entityId) {
        return pool.preparedQuery("select count(*) from notification " + FILTERS)
                .execute(Tuple.tuple().addString(status).addString(type).addString(entityType).addString(entityId))
                .map(rows -> new PageView<>(List.of(), ps[0], ps[1], rows.iterator().next().getLong(0)));
    }

    public Uni<NotificationView> get(String id) {
        return pool.preparedQuery("select " + COLUMNS + " from notification where id = $1").execute(Tuple.of(id))
                .map(rows -> {
                    if (rows.rowCount() == 0) {
                        throw BridgeException.notFound("notification", id);
                    }
                    return view(rows.iterator().next());
                });
    }

    /**
     * Sends a notification again: due now, with a fresh count of tries. A FAILED or DELIVERED one (the CRM lost it);
     * one still PENDING is already on its way and stays as it is.
     */
    public Uni<NotificationView> redeliver(String id, String actor) {
        return pool.withTransaction((SqlConnection c) -> c.preparedQuery("""
                update notification set status = 'PENDING', attempts = 0, next_attempt_at = now(), last_error = null,
                       updated_at = now()
                where id = $1 and status in ('FAILED', 'DELIVERED') returning id""").execute(Tuple.of(id))
                .flatMap(updated -> updated.rowCount() == 0 ? Uni.createFrom().voidItem()
                        : c.preparedQuery("""
                                insert into audit_entry (actor, action, entity_type, entity_id, outcome, request_id)
                                values ($1, 'notification.redeliver', 'NOTIFICATION', $2, 'PENDING', $3)""")
                                .execute(Tuple.of(actor == null ? "unknown" : actor, id, RequestIds.current()))
                                .replaceWithVoid()))
                .invoke(sender::wakeUp)
                .flatMap(v -> get(id));
    }

    private static NotificationView view(Row r) {
        return new NotificationView(r.getString("id"), r.getString("type"), r.getString("entity_type"),
                r.getString("entity_id"), r.getString("status"), r.getInteger("attempts"),
                r.getInteger("last_status_code"), r.getString("last_error"), instant(r, "next_attempt_at"),
                instant(r, "created_at"), instant(r, "updated_at"), instant(r, "delivered_at"),
                r.getJsonObject("data").getMap());
    }

    private static java.time.Instant instant(Row r, String column) {
        OffsetDateTime t = r.getOffsetDateTime(column);
        return t == null ? null : t.toInstant();
    }
}
