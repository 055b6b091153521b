package io.madetask.bridge.payout;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import jakarta.enterprise.context.ApplicationScoped;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * All SQL of the reconciliation: its own tables ({@code reconciliation_run}, {@code reconciliation_seen},
 * {@code reconciliation_difference}), and reads of the payout feature's {@code payout} and {@code payout_attempt}.
 * MadeTask's side of a run goes into {@code reconciliation_seen} page by page; the comparison is set-wise SQL.
 */
@ApplicationScoped
class ReconciliationStore {

    /**
     * The bridge's payouts created in the period that reached MadeTask ($2 inclusive, $3 exclusive): the current
     * attempt of each, unless its MadeTask id is already an earlier attempt's, and its earlier attempts.
     */
    private static final String BRIDGE_PERIOD = """
            select p.id as payout_id, p.madetask_id, p.status, p.amount, p.task_crm_id, null::integer as attempt,
                   p.updated_at
            from payout p
            where p.created_at >= $2 and p.created_at < $3 and p.madetask_id is not null
              and not exists (select 1 from payout_attempt a where a.payout_id = p.id and a.madetask_id = p.madetask_id)
            union all
            select p.id, a.madetask_id, a.status, p.amount, p.task_crm_id, a.attempt, a.ended_at
            from payout p join payout_attempt a on a.payout_id = p.id
            where p.created_at >= $2 and p.created_at < $3 and a.madetask_id is not null""";

    /**
     * Each MadeTask payout of run $1 (listed or looked up) with the bridge's payout or earlier attempt of that MadeTask
     * id, whenever that was created (an id kept as an earlier attempt is taken as one).
     */
    private static final String MATCHED = """
            select s.madetask_id, s.task_id as mt_task, s.status as mt_status, s.amount as mt_amount,
                   s.created_at as mt_created, s.source, b.payout_id, b.status as b_status, b.amount as b_amount,
                   b.task_crm_id, b.attempt
            from reconciliation_seen s
            left join lateral (
                select x.* from (
                    select a.payout_id, a.status, p.amount, p.task_crm_id, a.attempt
                    from payout_attempt a join payout p on p.id = a.payout_id where a.madetask_id = s.madetask_id
                    union all
                    select p.id, p.status, p.amount, p.task_crm_id, null::integer
                    from payout p where p.madetask_id = s.madetask_id) x
                order by x.attempt nulls last limit 1) b on true
            where s.run_id = $1 and s.source <> 'ABSENT'""";

    private static final String DIFFERENCES = """
            with bridge_period as (%1$s),
            matched as (%2$s),
            d as (
                select 'MISSING_IN_BRIDGE' as kind, o.id as payout_id, m.madetask_id, o.task_crm_id,
                       m.mt_task, o.status as b_status, o.amount as b_amount, null::integer as attempt,
                       m.mt_status, m.mt_amount, m.mt_created,
                       case when o.id is null then null when o.madetask_id is null then 'ANSWER_NOT_RECORDED'
                            else 'TASK_HAS_OTHER_PAYOUT' end as note
                from matched m
                left join lateral (select p.id, p.task_crm_id, p.status, p.amount, p.madetask_id from payout p
                                   where m.mt_task is not null and p.task_madetask_id = m.mt_task
                                   order by p.created_at desc limit 1) o on true
                where m.payout_id is null
                union all
                select 'STATUS_DIFFERS', m.payout_id, m.madetask_id, m.task_crm_id, m.mt_task, m.b_status, m.b_amount,
                       m.attempt, m.mt_status, m.mt_amount, m.mt_created, null
                from matched m where m.payout_id is not null and m.b_status is distinct from m.mt_status
                union all
                select 'AMOUNT_DIFFERS', m.payout_id, m.madetask_id, m.task_crm_id, m.mt_task, m.b_status, m.b_amount,
                       m.attempt, m.mt_status, m.mt_amount, m.mt_created, null
                from matched m where m.payout_id is not null and m.b_amount is distinct from m.mt_amount
                union all
                select 'MISSING_IN_MADETASK', b.payout_id, b.madetask_id, b.task_crm_id, null, b.status, b.amount,
                       b.attempt, null, null, null,
                       case when s.run_id is null then 'NOT_LOOKED_UP' else 'ABSENT' end
                from bridge_period b
                left join reconciliation_seen s on s.run_id = $1 and s.madetask_id = b.madetask_id
                -- one MadeTask has not answered about is left out while it moves (it reached MadeTask, or changed,
                -- after the run started): it is a later run's to judge, not a difference
                where s.source = 'ABSENT' or (s.run_id is null and b.updated_at < (
                    select r.started_at from reconciliation_run r where r.id = $1))
            ),
            numbered as (
                select d.*, row_number() over (order by array_position(
                    array['MISSING_IN_BRIDGE', 'MISSING_IN_MADETASK', 'STATUS_DIFFERS', 'AMOUNT_DIFFERS'], d.kind),
                    d.madetask_id, d.payout_id, d.attempt) as position
                from d
            ),
            saved as (
                insert into reconciliation_difference (run_id, position, kind, payout_id, madetask_id, task_crm_id,
                    madetask_task_id, bridge_status, bridge_amount, bridge_attempt, madetask_status, madetask_amount,
                    madetask_created, note)
                select $1, position, kind, payout_id, madetask_id, task_crm_id, mt_task, b_status, b_amount, attempt,
                       mt_status, mt_amount, mt_created, note
                from numbered where position <= $4
            )
            select kind, count(*) as n from d group by kind""".formatted(BRIDGE_PERIOD, MATCHED);

    private static final String FIGURES = """
            with bridge_period as (%s)
            select 'BRIDGE' as side, status, count(*) as n, sum(amount) as total from bridge_period group by status
            union all
            select 'NOT_IN_MADETASK', status, count(*), sum(amount) from payout
            where created_at >= $2 and created_at < $3 and madetask_id is null group by status
            union all
            select 'MADETASK', coalesce(status, 'UNKNOWN'), count(*), sum(amount) from reconciliation_seen
            where run_id = $1 and (source = 'LIST' or (source <> 'ABSENT' and created_at >= $2 and created_at < $3))
            group by status""".formatted(BRIDGE_PERIOD);

    /** A MadeTask payout as the run keeps it. */
    record Seen(String madetaskId, String taskId, String status, String amount, Instant createdAt) {
    }

    /** One line of a side's figures: side BRIDGE, NOT_IN_MADETASK or MADETASK. */
    record FigureRow(String side, String status, long count, BigDecimal sum) {
    }

    /** A listed difference as stored. */
    record DifferenceRow(String kind, String payoutId, String madetaskId, String taskCrmId, String madetaskTaskId,
            String bridgeStatus, BigDecimal bridgeAmount, Integer bridgeAttempt, String madetaskStatus,
            BigDecimal madetaskAmount, Instant madetaskCreated, String note) {
    }

    private final Pool pool;

    ReconciliationStore(Pool pool) {
        this.pool = pool;
    }

    <T> Uni<T> inTransaction(Function<SqlConnection, Uni<T>> work) {
        return pool.withTransaction(work);
    }

    // ---------------------------------------------------------------- runs

    /** An on-demand run, RUNNING from now. */
    Uni<Void> start(String id, Instant from, Instant to, String requestedBy) {
        return pool.preparedQuery("""
                insert into reconciliation_run (id, kind, period_from, period_to, requested_by)
                values ($1, 'ON_DEMAND', $2, $3, $4)""")
                .execute(Tuple.of(id, utc(from), utc(to), requestedBy)).replaceWithVoid();
    }

    /**
     * Claims the daily run of {@code day} for this instance: its row is made now, or taken again when its run failed
     * or its claim passed (an instance that died). Answers the run's id, or null when the day is done or claimed.
     */
    Uni<String> claimDay(String newId, LocalDate day, Instant from, Instant to, String instance, Duration lease) {
        return pool.withTransaction(c -> c.preparedQuery("""
                insert into reconciliation_run (id, kind, period_from, period_to, day, requested_by, claimed_by,
                                                claimed_until)
                values ($1, 'DAILY', $2, $3, $4, 'system', $5, now() + make_interval(secs => $6))
                on conflict (day) where kind = 'DAILY' do update set
                    status = 'RUNNING', claimed_by = excluded.claimed_by, claimed_until = excluded.claimed_until,
                    attempts = reconciliation_run.attempts + 1, started_at = now(), finished_at = null, error = null
                where reconciliation_run.status <> 'COMPLETED' and reconciliation_run.claimed_until < now()
                returning id""")
                .execute(Tuple.of(newId, utc(from), utc(to), day, instance, (double) lease.toMillis() / 1000))
                .flatMap(rows -> {
                    if (rows.size() == 0) {
                        return Uni.createFrom().<String>nullItem();
                    }
                    String id = rows.iterator().next().getString("id");
                    // what an earlier, failed attempt of the day left
                    return c.preparedQuery("delete from reconciliation_seen where run_id = $1").execute(Tuple.of(id))
                            .flatMap(v -> c.preparedQuery("delete from reconciliation_difference where run_id = $1")
                                    .execute(Tuple.of(id)))
                            .replaceWith(id);
                }));
    }

    /** Renews a daily run's claim; false when this instance no longer holds it. */
    Uni<Boolean> renew(String runId, String instance, Duration lease) {
        return pool.preparedQuery("""
                update reconciliation_run set claimed_until = now() + make_interval(secs => $3)
                where id = $1 and claimed_by = $2 and status = 'RUNNING'""")
                .execute(Tuple.of(runId, instance, (double) lease.toMillis() / 1000)).map(r -> r.rowCount() > 0);
    }

    /**
     * The run failed: recorded with its reason; a daily run's day may be claimed again at once (the next check). Its
     * working rows are dropped.
     */
    Uni<Void> fail(String runId, String instance, String error) {
        return pool.withTransaction(c -> c.preparedQuery("""
                update reconciliation_run set status = 'FAILED', error = left($3, 1000), finished_at = now(),
                       claimed_until = case when claimed_by is null then null else now() end
                where id = $1 and status = 'RUNNING' and (claimed_by is null or claimed_by = $2)""")
                .execute(Tuple.of(runId, instance, error))
                .flatMap(v -> c.preparedQuery("delete from reconciliation_seen where run_id = $1")
                        .execute(Tuple.of(runId)))
                .replaceWithVoid());
    }

    /** Deletes runs (and their rows) started longer ago than {@code retention}; answers how many. */
    Uni<Integer> purge(Duration retention) {
        return pool.preparedQuery("""
                delete from reconciliation_run where started_at < now() - make_interval(secs => $1)""")
                .execute(Tuple.of((double) retention.toSeconds())).map(RowSet::rowCount);
    }

    // ---------------------------------------------------------------- MadeTask's side, page by page

    /**
     * MadeTask payouts of the run: a later version of one already kept replaces it (MadeTask's list is ordered by
     * update, so one updated while the list is read comes again further on); a listed one stays LIST when looked up.
     */
    Uni<Void> seen(String runId, List<Seen> rows, String source) {
        if (rows.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        Map<String, Seen> unique = new LinkedHashMap<>();
        rows.forEach(r -> unique.put(r.madetaskId(), r));
        List<Seen> list = new ArrayList<>(unique.values());
        return pool.preparedQuery("""
                insert into reconciliation_seen (run_id, madetask_id, task_id, status, amount, created_at, source)
                select $1, x.id, x.task, x.status, x.amount::numeric, x.created::timestamptz, $7
                from unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[])
                     as x(id, task, status, amount, created)
                on conflict (run_id, madetask_id) do update set task_id = excluded.task_id, status = excluded.status,
                    amount = excluded.amount, created_at = excluded.created_at,
                    source = case when reconciliation_seen.source = 'LIST' then 'LIST' else excluded.source end""")
                .execute(Tuple.tuple().addString(runId)
                        .addArrayOfString(list.stream().map(Seen::madetaskId).toArray(String[]::new))
                        .addArrayOfString(list.stream().map(Seen::taskId).toArray(String[]::new))
                        .addArrayOfString(list.stream().map(Seen::status).toArray(String[]::new))
                        .addArrayOfString(list.stream().map(Seen::amount).toArray(String[]::new))
                        .addArrayOfString(list.stream()
                                .map(s -> s.createdAt() == null ? null : s.createdAt().toString())
                                .toArray(String[]::new))
                        .addString(source))
                .replaceWithVoid();
    }

    /** MadeTask ids of the bridge's payouts of the period that the run has not seen yet: to be asked about by id. */
    Uni<List<String>> unseen(String runId, Instant from, Instant to, int limit) {
        return pool.preparedQuery("""
                with bridge_period as (%s)
                select distinct b.madetask_id from bridge_period b
                where not exists (select 1 from reconciliation_seen s where s.run_id = $1 and s.madetask_id = b.madetask_id)
                order by b.madetask_id limit $4""".formatted(BRIDGE_PERIOD))
                .execute(Tuple.of(runId, utc(from), utc(to), limit)).map(ReconciliationStore::ids);
    }

    /**
     * Listed MadeTask payouts whose status differs from the bridge's: asked about again before they are reported, as
     * one may have settled while the list was read.
     */
    Uni<List<String>> toConfirm(String runId, int limit) {
        return pool.preparedQuery("""
                select m.madetask_id from (%s) m
                where m.source = 'LIST' and m.payout_id is not null and m.b_status is distinct from m.mt_status
                order by m.madetask_id limit $2""".formatted(MATCHED))
                .execute(Tuple.of(runId, limit)).map(ReconciliationStore::ids);
    }

    // ---------------------------------------------------------------- the result (on the completion's connection)

    /** Locks the run; true when it is RUNNING and, for a daily run, still claimed by this instance. */
    Uni<Boolean> lock(SqlConnection c, String runId, String instance) {
        return c.preparedQuery("""
                select 1 from reconciliation_run
                where id = $1 and status = 'RUNNING' and (claimed_by is null or claimed_by = $2) for update""")
                .execute(Tuple.of(runId, instance)).map(rows -> rows.size() > 0);
    }

    /** Finds every difference, keeps the first {@code cap} of them, and answers how many there are by kind. */
    Uni<Map<String, Long>> differences(SqlConnection c, String runId, Instant from, Instant to, int cap) {
        return c.preparedQuery(DIFFERENCES).execute(Tuple.of(runId, utc(from), utc(to), cap)).map(rows -> {
            Map<String, Long> byKind = new LinkedHashMap<>();
            for (Row r : rows) {
                byKind.put(r.getString("kind"), r.getLong("n"));
            }
            return byKind;
        });
    }

    /** Both sides' counts and sums by status. */
    Uni<List<FigureRow>> figures(SqlConnection c, String runId, Instant from, Instant to) {
        return c.preparedQuery(FIGURES).execute(Tuple.of(runId, utc(from), utc(to))).map(rows -> {
            List<FigureRow> list = new ArrayList<>();
            for (Row r : rows) {
                list.add(new FigureRow(r.getString("side"), r.getString("status"), r.getLong("n"),
                        r.getBigDecimal("total")));
            }
            return list;
        });
    }

    /** The run is COMPLETED with its result; its working rows are dropped. */
    Uni<Void> finish(SqlConnection c, String runId, long differences, boolean truncated, String summaryJson) {
        return c.preparedQuery("""
                update reconciliation_run set status = 'COMPLETED', finished_at = now(), differences = $2,
                       truncated = $3, summary = $4::text::jsonb, claimed_until = null, error = null
                where id = $1""")
                .execute(Tuple.of(runId, differences, truncated, summaryJson))
                .flatMap(v -> c.preparedQuery("delete from reconciliation_seen where run_id = $1")
                        .execute(Tuple.of(runId)))
                .replaceWithVoid();
    }

    /** The notification {@code reconciliation.mismatch}, in the completion's transaction: counts and the period only. */
    Uni<Void> notifyMismatch(SqlConnection c, String runId, String dataJson) {
        return c.preparedQuery("select bridge_notify('reconciliation.mismatch', 'RECONCILIATION', $1, $2::text::jsonb)")
                .execute(Tuple.of(runId, dataJson)).replaceWithVoid();
    }

    /** The run's listed differences, in order, and when it finished. */
    Uni<List<DifferenceRow>> listed(SqlConnection c, String runId) {
        return c.preparedQuery("""
                select kind, payout_id, madetask_id, task_crm_id, madetask_task_id, bridge_status, bridge_amount,
                       bridge_attempt, madetask_status, madetask_amount, madetask_created, note
                from reconciliation_difference where run_id = $1 order by position""")
                .execute(Tuple.of(runId)).map(rows -> {
                    List<DifferenceRow> list = new ArrayList<>();
                    for (Row r : rows) {
                        OffsetDateTime created = r.getOffsetDateTime("madetask_created");
                        list.add(new DifferenceRow(r.getString("kind"), r.getString("payout_id"),
                                r.getString("madetask_id"), r.getString("task_crm_id"),
                                r.getString("madetask_task_id"), r.getString("bridge_status"),
                                r.getBigDecimal("bridge_amount"), r.getInteger("bridge_attempt"),
                                r.getString("madetask_status"), r.getBigDecimal("madetask_amount"),
                                created == null ? null : created.toInstant(), r.getString("note")));
                    }
                    return list;
                });
    }

    /** When the run started and finished. */
    Uni<Instant[]> times(SqlConnection c, String runId) {
        return c.preparedQuery("select started_at, finished_at from reconciliation_run where id = $1")
                .execute(Tuple.of(runId)).map(rows -> {
                    Row r = rows.iterator().next();
                    OffsetDateTime finished = r.getOffsetDateTime("finished_at");
                    return new Instant[] {r.getOffsetDateTime("started_at").toInstant(),
                        finished == null ? null : finished.toInstant()};
                });
    }

    private static List<String> ids(RowSet<Row> rows) {
        List<String> ids = new ArrayList<>();
        rows.forEach(r -> ids.add(r.getString(0)));
        return ids;
    }

    private static OffsetDateTime utc(Instant t) {
        return OffsetDateTime.ofInstant(t, ZoneOffset.UTC);
    }
}
