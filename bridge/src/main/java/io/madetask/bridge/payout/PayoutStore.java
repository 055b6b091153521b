package io.madetask.bridge.payout;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import io.madetask.bridge.madetask.MadeTaskModel;
import io.madetask.bridge.work.Backlog;
import io.madetask.bridge.work.WorkQueue;
import io.quarkus.panache.common.Parameters;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * All SQL on the payout feature's tables ({@code payout}, {@code payout_batch}, {@code payout_batch_item}). Entity work
 * (inside a Hibernate Reactive transaction) is HQL on {@link Payout}; set-based and engine work is SQL on the Vert.x
 * client, on the caller's connection when it is part of a larger transaction.
 */
@ApplicationScoped
class PayoutStore {

    private static final String CLAIM = """
            update payout set locked_by = $1, locked_until = now() + make_interval(secs => $2),
                   calls = calls + 1, updated_at = now()
            where id in (
                select id from payout
                where status = 'PENDING' and task_madetask_id is not null and next_attempt_at <= now()
                  and (locked_until is null or locked_until < now())
                order by next_attempt_at, id
                limit $3
                for update skip locked)
            returning id, idempotency_key, amount, task_crm_id, calls, task_madetask_id, executor_crm_id, attempts""";

    private static final String RECORD = """
            with before as (select id, status from payout where id = $1 and locked_by = $10 for update)
            update payout p set
                status = case when p.status in ('PAID', 'FAILED') then p.status
                              when p.status = 'PROCESSING' and $2 = 'PENDING' then p.status else $2 end,
                madetask_id = coalesce($3, p.madetask_id), failure_code = $4, failure_message = $5,
                receipt_url = coalesce($6, p.receipt_url), paid_at = coalesce($7, p.paid_at), last_error = $8,
                next_attempt_at = coalesce($9, p.next_attempt_at), last_instance = $10,
                locked_by = null, locked_until = null, updated_at = now()
            from before where p.id = before.id
            returning before.status as was, p.status as now""";

    private final Pool pool;

    PayoutStore(Pool pool) {
        this.pool = pool;
    }

    // ---------------------------------------------------------------- the engine

    WorkQueue queue(String instanceId) {
        return new WorkQueue(pool, "payout", "id", String.class, "calls", instanceId);
    }

    /** Payouts that may go now: pending, due, their task accepted in MadeTask, not claimed by anyone. */
    Uni<List<PayoutEngine.Claimed>> claim(String instanceId, Duration lease, int limit) {
        return pool.preparedQuery(CLAIM).execute(Tuple.of(instanceId, lease.toMillis() / 1000.0, limit))
                .map(rows -> {
                    List<PayoutEngine.Claimed> list = new ArrayList<>();
                    for (Row r : rows) {
                        list.add(new PayoutEngine.Claimed(r.getString("id"), r.getString("idempotency_key"),
                                r.getBigDecimal("amount"), r.getString("task_crm_id"),
                                r.getString("task_madetask_id"), r.getInteger("calls"),
                                r.getString("executor_crm_id"), r.getInteger("attempts")));
                    }
                    return list;
                });
    }

    /**
     * A call's outcome, only while this instance holds the claim; a settled payout keeps its status. Answers each
     * changed row's status before and after (none when the claim was lost).
     */
    Uni<RowSet<Row>> record(SqlClient c, Tuple values) {
        return c.preparedQuery(RECORD).execute(values);
    }

    <T> Uni<T> inTransaction(java.util.function.Function<SqlConnection, Uni<T>> work) {
        return pool.withTransaction(work);
    }

    Uni<RowSet<Row>> record(Tuple values) {
        return record(pool, values);
    }

    // ---------------------------------------------------------------- settlement

    /**
     * Moves PENDING or PROCESSING forward, never back, and never touches a settled payout (caller's transaction).
     * Matched by MadeTask's payout id, or, for a payout whose answer was lost, by its task (not for FAILED: that may
     * be an earlier attempt's). Answers how many rows changed.
     */
    Uni<Integer> settle(MadeTaskModel.Payout mt) {
        boolean processing = "PROCESSING".equals(mt.status());
        boolean failed = "FAILED".equals(mt.status());
        Parameters p = Parameters.with("status", PayoutStatus.valueOf(mt.status())).and("id", mt.id())
                .and("code", mt.failureCode()).and("message", mt.failureMessage()).and("receipt", mt.receiptUrl())
                .and("paidAt", mt.paidAt() == null ? null : OffsetDateTime.parse(mt.paidAt()).toInstant())
                .and("now", Instant.now()).and("pending", PayoutStatus.PENDING);
        if (!processing) {
            p = p.and("processing", PayoutStatus.PROCESSING);
        }
        if (!failed) {
            p = p.and("task", mt.taskId());
        }
        return Payout.update("status = :status, madetaskId = :id, failureCode = :code, failureMessage = :message, "
                + "receiptUrl = :receipt, paidAt = :paidAt, updatedAt = :now where "
                + (processing ? "status = :pending" : "status in (:pending, :processing)") + " and "
                + (failed ? "madetaskId = :id" : "(madetaskId = :id or (madetaskId is null and taskMadetaskId = :task))"),
                p);
    }

    /** MadeTask's ids of payouts PROCESSING longer than {@code after}, oldest first. */
    Uni<List<String>> processingLongerThan(Duration after, int limit) {
        return pool.preparedQuery("""
                select madetask_id from payout where status = 'PROCESSING' and madetask_id is not null
                and updated_at < now() - make_interval(secs => $1) order by updated_at limit $2""")
                .execute(Tuple.of((double) after.toSeconds(), limit))
                .map(rows -> {
                    List<String> ids = new ArrayList<>();
                    rows.forEach(r -> ids.add(r.getString("madetask_id")));
                    return ids;
                });
    }

    /** MadeTask still has the payout PROCESSING: asked again only after another {@code reconcile-after}. */
    Uni<Void> stillProcessing(String madetaskId) {
        return pool.preparedQuery("update payout set updated_at = now() where madetask_id = $1 and status = 'PROCESSING'")
                .execute(Tuple.of(madetaskId)).replaceWithVoid();
    }

    // ---------------------------------------------------------------- the task's acceptance (caller's transaction)

    /** The task's waiting payout may go: its acceptance reached MadeTask. Answers whether one was waiting. */
    Uni<Boolean> due(String taskCrmId, String taskMadetaskId) {
        return Payout.update("taskMadetaskId = ?1, nextAttemptAt = ?2, updatedAt = ?2 "
                + "where taskCrmId = ?3 and status = ?4 and taskMadetaskId is null",
                taskMadetaskId, Instant.now(), taskCrmId, PayoutStatus.PENDING).map(n -> n > 0);
    }

    /** The task's pending payout cannot be made. */
    Uni<Void> failPending(String taskCrmId, String code, String message) {
        return Payout.update("status = ?5, failureCode = ?1, failureMessage = ?2, updatedAt = ?3 "
                + "where taskCrmId = ?4 and status = ?6", code, message, Instant.now(), taskCrmId, PayoutStatus.FAILED,
                PayoutStatus.PENDING)
                .replaceWithVoid();
    }

    // ---------------------------------------------------------------- batches (on the batch's connection)

    Uni<Void> insertBatch(SqlConnection c, String batchId, String actor, int total) {
        return c.preparedQuery("insert into payout_batch (id, created_by, total) values ($1, $2, $3)")
                .execute(Tuple.of(batchId, actor, total)).replaceWithVoid();
    }

    /** The batch's items in order; a null error code is an item to pay. */
    Uni<Void> insertItems(SqlConnection c, String batchId, List<String> taskCrmIds, List<String> errorCodes,
            List<String> errorMessages) {
        Integer[] positions = new Integer[taskCrmIds.size()];
        for (int i = 0; i < positions.length; i++) {
            positions[i] = i + 1;
        }
        return c.preparedQuery("""
                insert into payout_batch_item (batch_id, position, task_crm_id, error_code, error_message)
                select $1, x.pos, x.id, x.code, x.message
                from unnest($2::int[], $3::text[], $4::text[], $5::text[]) as x(pos, id, code, message)""")
                .execute(Tuple.tuple().addString(batchId).addArrayOfInteger(positions)
                        .addArrayOfString(taskCrmIds.toArray(String[]::new))
                        .addArrayOfString(errorCodes.toArray(String[]::new))
                        .addArrayOfString(errorMessages.toArray(String[]::new)))
                .replaceWithVoid();
    }

    /**
     * The missing payouts of the batch's tasks (a task's existing payout stays its one payout), each with its key made
     * now; those whose task MadeTask has accepted carry its id and may go at once, the rest wait. They are made in the
     * body's order (a microsecond apart), which is the order the income limit counts them in, as the preflight does.
     */
    Uni<Void> insertPayouts(SqlConnection c, String batchId, List<String> taskCrmIds, List<String> executorCrmIds,
            List<BigDecimal> amounts, List<String> taskMadetaskIds) {
        if (taskCrmIds.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        return c.preparedQuery("""
                insert into payout (id, task_crm_id, executor_crm_id, amount, status, idempotency_key, batch_id,
                                    task_madetask_id, created_at)
                select s.id, s.task, s.executor, s.amount::numeric, 'PENDING', 'bridge-payout-' || s.id || '-1', $1,
                       s.task_madetask_id, now() + (s.n - 1) * interval '1 microsecond'
                from (select 'po-' || gen_random_uuid() as id, x.*
                      from unnest($2::text[], $3::text[], $4::text[], $5::text[]) with ordinality
                           as x(task, executor, amount, task_madetask_id, n)) s
                on conflict (task_crm_id) do nothing""")
                .execute(Tuple.tuple().addString(batchId).addArrayOfString(taskCrmIds.toArray(String[]::new))
                        .addArrayOfString(executorCrmIds.toArray(String[]::new))
                        .addArrayOfString(amounts.stream().map(BigDecimal::toPlainString).toArray(String[]::new))
                        .addArrayOfString(taskMadetaskIds.toArray(String[]::new)))
                .flatMap(v -> c.preparedQuery("""
                        update payout_batch_item i set payout_id = p.id from payout p
                        where i.batch_id = $1 and i.error_code is null and p.task_crm_id = i.task_crm_id""")
                        .execute(Tuple.of(batchId)))
                .replaceWithVoid();
    }

    /** Marks the batch finished when nothing of it is left to settle (set by the database, see V4). */
    Uni<Void> completeIfSettled(SqlClient c, String batchId) {
        return c.preparedQuery("select bridge_complete_batch($1)").execute(Tuple.of(batchId)).replaceWithVoid();
    }

    Uni<RowSet<Row>> batchCounts(String batchId) {
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
                group by b.id""").execute(Tuple.of(batchId));
    }

    /** Completes a batch whose last settlement raced with its creation; answers when it finished. */
    Uni<OffsetDateTime> complete(String batchId) {
        return completeIfSettled(pool, batchId)
                .flatMap(v -> pool.preparedQuery("select finished_at from payout_batch where id = $1")
                        .execute(Tuple.of(batchId)))
                .map(f -> f.iterator().next().getOffsetDateTime("finished_at"));
    }

    Uni<RowSet<Row>> batchItems(String batchId, String status, int limit, int offset) {
        String itemStatus = "case when i.error_code is not null then 'REJECTED' else coalesce(p.status, 'PENDING') end";
        return pool.preparedQuery("""
                select i.task_crm_id, %1$s as status, i.payout_id, p.failure_code, i.error_code, i.error_message,
                       count(*) over () as total
                from payout_batch_item i left join payout p on p.id = i.payout_id
                where i.batch_id = $1 and ($2::text is null or %1$s = $2)
                order by i.position limit $3 offset $4""".formatted(itemStatus))
                .execute(Tuple.of(batchId, status, limit, offset));
    }

    // ---------------------------------------------------------------- new attempts (retries and recovery)

    private static final String RETRY = """
            with picked as (
                select id, failure_code from payout
                where status = 'FAILED' and failure_code = any($1)
                  and ($2::text[] is null or id = any($2))
                  and ($3::text is null or exists (select 1 from payout_batch_item i
                                                   where i.batch_id = $3 and i.payout_id = payout.id))
                  and ($4::text is null or executor_crm_id = $4)
                  and ($5::text[] is null or task_crm_id = any($5))
                order by updated_at, id
                limit $6
                for update skip locked),
            kept as (
                insert into payout_attempt (payout_id, attempt, idempotency_key, madetask_id, status, failure_code,
                                            failure_message, ended_at, retried_by)
                select p.id, p.attempts, p.idempotency_key, p.madetask_id, 'FAILED', p.failure_code, p.failure_message,
                       p.updated_at, $7
                from payout p join picked on picked.id = p.id
                on conflict do nothing)
            update payout p set attempts = p.attempts + 1,
                   idempotency_key = 'bridge-payout-' || p.id || '-' || (p.attempts + 1),
                   status = 'PENDING', madetask_id = null, failure_code = null, failure_message = null,
                   receipt_url = null, last_error = null, calls = 0, next_attempt_at = now(), updated_at = now(),
                   recoveries = p.recoveries + $8,
                   recover_after = case when $8 > 0
                       then now() + make_interval(secs => least($9 * power(2, least(p.recoveries, 20)), $10))
                       else null end
            from picked where p.id = picked.id
            returning p.id, picked.failure_code as previous, p.attempts""";

    /** Which FAILED payouts a new attempt is for; null parts do not filter. */
    record RetryFilter(List<String> codes, List<String> ids, String batchId, String executorCrmId,
            List<String> taskCrmIds, int limit) {
    }

    /** A payout given a new attempt: its id, the failure it had, and the new attempt's number. */
    record Retried(String id, String previousCode, int attempt) {
    }

    /**
     * A new attempt for each FAILED payout the filter names (caller's transaction): the failed attempt kept in
     * {@code payout_attempt}, a new idempotency key, PENDING and due now. Payouts another transaction holds are
     * skipped. {@code automaticDelay} is null for a person's retry, else the first wait before another automatic one
     * (doubling with each, up to {@code automaticMax}).
     */
    Uni<List<Retried>> retry(SqlConnection c, RetryFilter f, String actor, Duration automaticDelay,
            Duration automaticMax) {
        Tuple t = Tuple.tuple().addArrayOfString(f.codes().toArray(String[]::new))
                .addArrayOfString(f.ids() == null ? null : f.ids().toArray(String[]::new))
                .addString(f.batchId()).addString(f.executorCrmId())
                .addArrayOfString(f.taskCrmIds() == null ? null : f.taskCrmIds().toArray(String[]::new))
                .addInteger(f.limit()).addString(actor).addInteger(automaticDelay == null ? 0 : 1)
                .addDouble(automaticDelay == null ? 0.0 : automaticDelay.toMillis() / 1000.0)
                .addDouble(automaticMax == null ? 0.0 : automaticMax.toMillis() / 1000.0);
        return c.preparedQuery(RETRY).execute(t).map(rows -> {
            List<Retried> list = new ArrayList<>();
            rows.forEach(r -> list.add(new Retried(r.getString("id"), r.getString("previous"),
                    r.getInteger("attempts"))));
            return list;
        });
    }

    /** A FAILED payout the bridge may try again by itself: its cause, executor, amount and automatic tries so far. */
    record Failed(String id, String executorCrmId, String failureCode, BigDecimal amount, int recoveries,
            Instant failedAt) {
    }

    /** FAILED payouts with one of the codes whose next automatic try is due, oldest failure first. */
    Uni<List<Failed>> failedDue(List<String> codes, int limit) {
        return pool.preparedQuery("""
                select id, executor_crm_id, failure_code, amount, recoveries, updated_at from payout
                where status = 'FAILED' and failure_code = any($1) and (recover_after is null or recover_after <= now())
                order by updated_at, id limit $2""")
                .execute(Tuple.of(codes.toArray(String[]::new), limit))
                .map(PayoutStore::failed);
    }

    /**
     * INCOME_LIMIT_EXCEEDED payouts whose headroom is back: failed in an earlier year, or the executor's paid total
     * this year and their payouts in flight leave room for the amount now.
     */
    Uni<List<Failed>> incomeFreed(BigDecimal limit, int max) {
        return pool.preparedQuery("""
                select p.id, p.executor_crm_id, p.failure_code, p.amount, p.recoveries, p.updated_at from payout p
                where p.status = 'FAILED' and p.failure_code = 'INCOME_LIMIT_EXCEEDED'
                  and (p.recover_after is null or p.recover_after <= now())
                  and (p.updated_at < date_trunc('year', now() at time zone 'UTC') at time zone 'UTC'
                       or p.amount + (select coalesce(sum(q.amount), 0) from payout q
                                      where q.executor_crm_id = p.executor_crm_id
                                        and (q.status in ('PENDING', 'PROCESSING')
                                             or (q.status = 'PAID' and q.paid_at >= date_trunc('year',
                                                 now() at time zone 'UTC') at time zone 'UTC'))) <= $1)
                order by p.updated_at, p.id limit $2""")
                .execute(Tuple.of(limit, max))
                .map(PayoutStore::failed);
    }

    private static List<Failed> failed(RowSet<Row> rows) {
        List<Failed> list = new ArrayList<>();
        rows.forEach(r -> list.add(new Failed(r.getString("id"), r.getString("executor_crm_id"),
                r.getString("failure_code"), r.getBigDecimal("amount"), r.getInteger("recoveries"),
                r.getOffsetDateTime("updated_at").toInstant())));
        return list;
    }

    /** A payout's status and failure code, locked until the caller's transaction ends; null when there is none. */
    record Failure(PayoutStatus status, String failureCode) {
    }

    Uni<Failure> failureOf(SqlConnection c, String id) {
        return c.preparedQuery("select status, failure_code from payout where id = $1 for update")
                .execute(Tuple.of(id)).map(rows -> {
                    if (rows.rowCount() == 0) {
                        return null;
                    }
                    Row r = rows.iterator().next();
                    return new Failure(PayoutStatus.valueOf(r.getString("status")), r.getString("failure_code"));
                });
    }

    /** What PENDING payouts will still take from the balance: they have not reached MadeTask yet. */
    Uni<BigDecimal> pendingAmount() {
        return pool.query("select coalesce(sum(amount), 0) as total from payout where status = 'PENDING'").execute()
                .map(rows -> rows.iterator().next().getBigDecimal("total"));
    }

    // ---------------------------------------------------------------- income (the self-employed's yearly limit)

    /** Sets the income policy the payout trigger reads (V9), from this instance's configuration. */
    Uni<Void> incomePolicy(BigDecimal limit, BigDecimal warningShare) {
        return pool.preparedQuery("update income_policy set yearly_limit = $1, warning_share = $2, updated_at = now()")
                .execute(Tuple.of(limit, warningShare)).replaceWithVoid();
    }

    /** Paid in [from, to) and in flight (PENDING, PROCESSING) per executor; executors with neither are missing. */
    record Income(BigDecimal paid, BigDecimal inFlight) {
    }

    Uni<java.util.Map<String, Income>> income(java.util.Collection<String> executorCrmIds, OffsetDateTime from,
            OffsetDateTime to) {
        return pool.preparedQuery("""
                select executor_crm_id,
                       coalesce(sum(amount) filter (where status = 'PAID' and paid_at >= $2 and paid_at < $3), 0) as paid,
                       coalesce(sum(amount) filter (where status in ('PENDING', 'PROCESSING')), 0) as in_flight
                from payout where executor_crm_id = any($1) group by executor_crm_id""")
                .execute(Tuple.of(executorCrmIds.toArray(String[]::new), from, to))
                .map(rows -> {
                    java.util.Map<String, Income> map = new java.util.HashMap<>();
                    rows.forEach(r -> map.put(r.getString("executor_crm_id"),
                            new Income(r.getBigDecimal("paid"), r.getBigDecimal("in_flight"))));
                    return map;
                });
    }

    /**
     * For the engine, before it calls MadeTask: what the executor was paid this (UTC) year, what of theirs is at
     * MadeTask now, and the amounts of their payouts waiting to go that were made before this one (oldest first, at
     * most 1000), so that the engine can tell which of those go before it (see {@link PayoutPolicy#ahead}).
     */
    record IncomeQueue(BigDecimal paid, BigDecimal processing, List<BigDecimal> earlierPending) {
    }

    Uni<IncomeQueue> incomeQueue(String payoutId) {
        return pool.preparedQuery("""
                select (select coalesce(sum(q.amount), 0) from payout q
                        where q.executor_crm_id = p.executor_crm_id and q.status = 'PAID'
                          and q.paid_at >= date_trunc('year', now() at time zone 'UTC') at time zone 'UTC') as paid,
                       (select coalesce(sum(q.amount), 0) from payout q
                        where q.executor_crm_id = p.executor_crm_id and q.id <> p.id and q.status = 'PROCESSING')
                           as processing,
                       (select coalesce(array_agg(e.amount order by e.created_at, e.id), '{}') from (
                            select q.amount, q.created_at, q.id from payout q
                            where q.executor_crm_id = p.executor_crm_id and q.status = 'PENDING'
                              and (q.created_at, q.id) < (p.created_at, p.id)
                            order by q.created_at, q.id limit 1000) e) as earlier
                from payout p where p.id = $1""")
                .execute(Tuple.of(payoutId))
                .map(rows -> {
                    Row r = rows.iterator().next();
                    Object[] earlier = r.getArrayOfBigDecimals("earlier");
                    List<BigDecimal> amounts = new ArrayList<>();
                    for (Object o : earlier) {
                        amounts.add((BigDecimal) o);
                    }
                    return new IncomeQueue(r.getBigDecimal("paid"), r.getBigDecimal("processing"), amounts);
                });
    }

    /** The payout of each of the tasks that has one: status and failure code, for a preflight. */
    record Existing(String id, String taskCrmId, PayoutStatus status, String failureCode) {
    }

    Uni<java.util.Map<String, Existing>> existing(List<String> taskCrmIds) {
        return existing(pool, taskCrmIds);
    }

    /** The same on the caller's connection (a batch's, which holds the tasks' locks). */
    Uni<java.util.Map<String, Existing>> existing(SqlClient c, List<String> taskCrmIds) {
        return c.preparedQuery("select id, task_crm_id, status, failure_code from payout where task_crm_id = any($1)")
                .execute(Tuple.of(taskCrmIds.toArray(String[]::new)))
                .map(rows -> {
                    java.util.Map<String, Existing> map = new java.util.HashMap<>();
                    rows.forEach(r -> map.put(r.getString("task_crm_id"), new Existing(r.getString("id"),
                            r.getString("task_crm_id"), PayoutStatus.valueOf(r.getString("status")),
                            r.getString("failure_code"))));
                    return map;
                });
    }

    // ---------------------------------------------------------------- backlog

    Uni<Backlog.Figures> backlog() {
        return pool.query("""
                select (select count(*) from payout where status = 'PENDING') as pending,
                       (select count(*) from payout where status = 'PROCESSING') as processing,
                       (select count(*) from payout where status = 'FAILED') as failed,
                       (select min(created_at) from payout where status in ('PENDING', 'PROCESSING')) as oldest""").execute().map(rows -> {
                    Row r = rows.iterator().next();
                    OffsetDateTime oldest = r.getOffsetDateTime("oldest");
                    return new Backlog.Figures("PAYOUT", r.getLong("pending"), r.getLong("processing"),
                            r.getLong("failed"), oldest == null ? null : oldest.toInstant());
                });
    }
}
