package io.madetask.bridge.crm;

import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import jakarta.enterprise.context.ApplicationScoped;

import io.madetask.bridge.audit.Audit;
import io.madetask.bridge.common.BridgeException;
import io.madetask.bridge.common.PageView;
import io.madetask.bridge.common.Problem;
import io.madetask.bridge.common.RequestIds;
import io.madetask.bridge.work.Backlog;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Row;

/** Notifications to the CRM as the API shows them: listed, read, and sent again by an admin. */
@ApplicationScoped
public class NotificationService implements Backlog {

    static final Set<String> STATUSES = Set.of("PENDING", "DELIVERED", "FAILED", "UNSENT");

    private final NotificationStore store;
    private final NotificationSender sender;
    private final Audit audit;

    NotificationService(NotificationStore store, NotificationSender sender, Audit audit) {
        this.store = store;
        this.sender = sender;
        this.audit = audit;
    }

    public Uni<PageView<NotificationView>> list(String status, String type, String entityType, String entityId,
            Integer page, Integer size) {
        int[] ps = PageView.checked(page, size);
        if (status != null && !STATUSES.contains(status)) {
            throw BridgeException.validation(List.of(new Problem.FieldError("status", "one of " + STATUSES)));
        }
        return store.page(status, type, entityType, entityId, ps[1], ps[0] * ps[1])
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
        return store.count(status, type, entityType, entityId)
                .map(total -> new PageView<>(List.of(), ps[0], ps[1], total));
    }

    public Uni<NotificationView> get(String id) {
        return store.get(id).onItem().ifNull().failWith(() -> BridgeException.notFound("notification", id))
                .map(NotificationService::view);
    }

    /**
     * Sends a notification again: due now, with a fresh count of tries. A FAILED, DELIVERED (the CRM lost it) or
     * UNSENT one; one still PENDING is already on its way and stays as it is. Without a CRM callback URL there is
     * nowhere to send it: 409 {@code notifications_not_configured}.
     */
    public Uni<NotificationView> redeliver(String id, String actor) {
        if (!sender.sends()) {
            return get(id).flatMap(known -> Uni.createFrom().failure(new BridgeException(409,
                    "notifications_not_configured", "Notifications are not sent",
                    "No CRM callback URL is configured (BRIDGE_NOTIFICATIONS_URL): notifications are recorded as "
                            + "UNSENT")));
        }
        return store.inTransaction(c -> store.redeliver(c, id)
                .flatMap(updated -> !updated ? Uni.createFrom().voidItem()
                        : audit.record(c, actor == null ? "unknown" : actor, "notification.redeliver", "NOTIFICATION",
                                id, "PENDING", RequestIds.current(), null)))
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

    /** Notifications waiting for delivery, and those given up as FAILED: NOTIFICATION. */
    @Override
    public Uni<List<Figures>> figures() {
        return store.backlog().map(List::of);
    }
}
