package io.madetask.bridge.payout;

import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import io.madetask.bridge.common.BridgeException;
import io.madetask.bridge.common.PageView;
import io.madetask.bridge.common.Problem;
import io.madetask.bridge.common.RequestIds;
import io.madetask.bridge.sync.SyncWorker;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * Payout batches: up to 1000 tasks in one request, answered at once. One transaction of set-based statements records
 * the batch, accepts every task that needs it (with its MadeTask operation), makes the missing payouts and rejects the
 * rest item by item; the outbox worker and the payout engine take it from there.
 */
@ApplicationScoped
public class PayoutBatchService {

    static final int MAX_TASKS = 1000;

    private final Pool pool;
    private final PayoutEngine engine;
    private final SyncWorker worker;

    PayoutBatchService(Pool pool, PayoutEngine engine, SyncWorker worker) {
        this.pool = pool;
        this.engine = engine;
        this.worker = worker;
    }

    /** The body of {@code POST /api/v1/payout-batches}. */
    public record BatchRequest(List<String> taskCrmIds) {
    }

    public Uni<PayoutBatchView> create(BatchRequest request, String actor) {
        List<String> ids = request == null ? null : request.taskCrmIds();
        if (ids == null || ids.isEmpty() || ids.size() > MAX_TASKS) {
            throw BridgeException.validation(List.of(new Problem.FieldError("taskCrmIds", "1 to 1000 task crmIds")));
        }
        Set<String> seen = new HashSet<>();
        List<Problem.FieldError> errors = new ArrayList<>();
        for (int i = 0; i < ids.size(); i++) {
            String id = ids.get(i);
            if (id == null || id.isBlank() || id.length() > 100) {
                errors.add(new Problem.FieldError("taskCrmIds[" + i + "]", "a task crmId"));
            } else if (!seen.add(id)) {
                errors.add(new Problem.FieldError("taskCrmIds[" + i + "]", "appears twice"));
            }
        }
        if (!errors.isEmpty()) {
            throw BridgeException.validation(errors.subList(0, Math.min(errors.size(), 20)));
        }
        String batchId = "pb-" + UUID.randomUUID();
        String[] array = ids.toArray(String[]::new);
        return pool.withTransaction((SqlConnection c) -> c
                .preparedQuery("insert into payout_batch (id, created_by, total) values ($1, $2, $3)")
                .execute(Tuple.of(batchId, actor == null ? "unknown" : actor, ids.size()))
                .flatMap(v -> c.preparedQuery("""
                        insert into payout_batch_item (batch_id, position, task_crm_id, error_code, error_message)
                        select $1, x.ord, x.id,
                               case when t.crm_id is null then 'task_not_found'
                                    when t.status not in ('IN_PROGRESS', 'SUBMITTED', 'ACCEPTED', 'PAID') then 'invalid_status'
                                    when t.madetask_id is null and t.status <> 'ACCEPTED' then 'task_not_synced' end,
                               case when t.crm_id is null then 'No task with this crmId'
                                    when t.status not in ('IN_PROGRESS', 'SUBMITTED', 'ACCEPTED', 'PAID')
                                        then 'A task in ' || t.status || ' cannot be paid'
                                    when t.madetask_id is null and t.status <> 'ACCEPTED'
                                        then 'The task is not in MadeTask yet' end
                        from unnest($2::text[]) with ordinality as x(id, ord)
                        left join task t on t.crm_id = x.id""").execute(Tuple.of(batchId, array)))
                .flatMap(v -> c.preparedQuery("""
                        with accepted as (
                            update task set status = 'ACCEPTED', sync_state = 'PENDING', version = version + 1,
                                   updated_at = now()
                            where crm_id in (select task_crm_id from payout_batch_item
                                             where batch_id = $1 and error_code is null)
                              and status in ('IN_PROGRESS', 'SUBMITTED')
                            returning crm_id, status),
                        ops as (
                            insert into sync_operation (entity_type, entity_id, kind, payload, idempotency_key)
                            select 'TASK', crm_id, 'TRANSITION', '{"to":"ACCEPTED","comment":"Payout batch ' || $1 || '"}',
                                   'bridge-task-transition-' || gen_random_uuid()
                            from accepted returning entity_id)
                        insert into audit_entry (actor, action, entity_type, entity_id, outcome, request_id, detail)
                        select $2, 'task.status', 'TASK', entity_id, 'ACCEPTED', $3, 'accepted by payout batch ' || $1
                        from ops""").execute(Tuple.of(batchId, actor == null ? "unknown" : actor, RequestIds.current())))
                .flatMap(v -> c.preparedQuery("""
                        insert into payout (id, task_crm_id, executor_crm_id, amount, status, idempotency_key, batch_id,
                                            next_attempt_at)
                        select s.id, s.crm_id, s.executor_crm_id, s.reward, 'PENDING', 'bridge-payout-' || s.id || '-1', $1,
                               %s
                        from (select 'po-' || gen_random_uuid() as id, t.crm_id, t.executor_crm_id, t.reward
                              from task t join payout_batch_item i on i.task_crm_id = t.crm_id
                              where i.batch_id = $1 and i.error_code is null) s
                        on conflict (task_crm_id) do nothing""".formatted(PayoutEngine.DUE_AFTER_ACCEPTANCE.replace("$1", "s.crm_id"))).execute(Tuple.of(batchId)))
                .flatMap(v -> c.preparedQuery("""
                        update payout_batch_item i set payout_id = p.id from payout p
                        where i.batch_id = $1 and i.error_code is null and p.task_crm_id = i.task_crm_id""")
                        .execute(Tuple.of(batchId)))
                // A batch with nothing left to pay (every item rejected or already settled) is complete at once.
                .flatMap(v -> c.preparedQuery("select bridge_complete_batch($1)").execute(Tuple.of(batchId)))
                .flatMap(v -> c.preparedQuery("""
                        insert into audit_entry (actor, action, entity_type, entity_id, outcome, request_id, detail)
                        select $2, 'payout_batch.create', 'PAYOUT_BATCH', $1, 'ACCEPTED', $3,
                               count(*) || ' tasks, ' || count(*) filter (where error_code is not null) || ' rejected'
                        from payout_batch_item where batch_id = $1""")
                        .execute(Tuple.of(batchId, actor == null ? "unknown" : actor, RequestIds.current()))))
                .invoke(v -> {
                    worker.wakeUpSoon();
                    engine.wakeUp();
                })
                .flatMap(v -> get(batchId));
    }

    public Uni<PayoutBatchView> get(String id) {
        return pool.preparedQuery("""
                select b.id, b.total, b.created_at, b.finished_at,
                       count(*) filter (where i.error_code is not null) as rejected,
                       count(*) filter (where i.error_code is null and (p.status is null or p.status = 'PENDING')) as pending,
                       count(*) filter (where p.status = 'PROCESSING') as processing,
                       count(*) filter (where p.status = 'PAID') as paid,
                       count(*) filter (where p.status = 'FAILED') as failed
                from payout_batch b
                join payout_batch_item i on i.batch_id = b.id
                left join payout p on p.id = i.payout_id
                where b.id = $1
                group by b.id""").execute(Tuple.of(id))
                .flatMap(rows -> {
                    if (rows.rowCount() == 0) {
                        throw BridgeException.notFound("payout batch", id);
                    }
                    Row r = rows.iterator().next();
                    PayoutBatchView.Counts counts = new PayoutBatchView.Counts(r.getLong("pending"),
                            r.getLong("processing"), r.getLong("paid"), r.getLong("failed"), r.getLong("rejected"));
                    boolean done = counts.pending() == 0 && counts.processing() == 0;
                    String status = !done ? "RUNNING"
                            : counts.failed() + counts.rejected() == 0 ? "COMPLETED" : "COMPLETED_WITH_ERRORS";
                    // finished_at is set by the database when the last item settles (bridge_complete_batch); a batch
                    // whose last settlement raced with its creation is completed here, on the first read that sees it.
                    OffsetDateTime finished = r.getOffsetDateTime("finished_at");
                    Uni<OffsetDateTime> finishedAt = !done ? Uni.createFrom().nullItem()
                            : finished != null ? Uni.createFrom().item(finished)
                            : pool.preparedQuery("select bridge_complete_batch($1)").execute(Tuple.of(id))
                                    .flatMap(v -> pool.preparedQuery("select finished_at from payout_batch where id = $1")
                                            .execute(Tuple.of(id)))
                                    .map(f -> f.iterator().next().getOffsetDateTime("finished_at"));
                    return finishedAt.map(f -> new PayoutBatchView(id, status, r.getInteger("total"), counts,
                            r.getOffsetDateTime("created_at").toInstant(), f == null ? null : f.toInstant()));
                });
    }

    public Uni<PageView<PayoutBatchView.Item>> items(String id, String status, Integer page, Integer size) {
        int[] ps = PageView.checked(page, size);
        String itemStatus = "case when i.error_code is not null then 'REJECTED' else coalesce(p.status, 'PENDING') end";
        return get(id).flatMap(batch -> pool.preparedQuery("""
                select i.task_crm_id, %s as status, i.payout_id, p.failure_code, i.error_code, i.error_message,
                       count(*) over () as total
                from payout_batch_item i left join payout p on p.id = i.payout_id
                where i.batch_id = $1 and ($2::text is null or %s = $2)
                order by i.position limit $3 offset $4""".formatted(itemStatus, itemStatus))
                .execute(Tuple.of(id, status, ps[1], ps[0] * ps[1]))
                .map(rows -> {
                    List<PayoutBatchView.Item> items = new ArrayList<>();
                    long total = 0;
                    for (Row r : rows) {
                        total = r.getLong("total");
                        String code = r.getString("error_code");
                        items.add(new PayoutBatchView.Item(r.getString("task_crm_id"), r.getString("status"),
                                r.getString("payout_id"), r.getString("failure_code"),
                                code == null ? null : new PayoutBatchView.ItemError(code, r.getString("error_message"))));
                    }
                    return new PageView<>(items, ps[0], ps[1], total);
                }));
    }
}
