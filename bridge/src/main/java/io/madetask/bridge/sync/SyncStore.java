package io.madetask.bridge.sync;

import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;

import io.madetask.bridge.work.Backlog;
import io.madetask.bridge.work.WorkQueue;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * All SQL of the sync feature: the outbox ({@code sync_operation}: claims, outcomes, many operations written at once,
 * its backlog), background jobs ({@code sync_job}) and the periodic jobs' last runs ({@code job_run}).
 */
@ApplicationScoped
class SyncStore {

    private static final String CLAIM = """
            update sync_operation set locked_by = $1, locked_until = now() + make_interval(secs => $2),
                   attempts = attempts + 1, updated_at = now()
            where id in (
                select o.id from sync_operation o
                where o.status = 'PENDING' and o.next_attempt_at <= now()
                  and (o.locked_until is null or o.locked_until < now())
                  and ((o.entity_type = 'EXECUTOR' and o.kind = 'CREATE') = $4)
                  and not exists (select 1 from sync_operation p
                                  where p.entity_type = o.entity_type and p.entity_id = o.entity_id
                                    and p.status = 'PENDING' and p.id < o.id)
                order by o.id
                limit $3
                for update skip locked)
            returning id, entity_type, entity_id, kind, payload, idempotency_key, attempts, created_at""";

    private final Pool pool;

    SyncStore(Pool pool) {
        this.pool = pool;
    }

    WorkQueue queue(String instanceId) {
        return new WorkQueue(pool, "sync_operation", "id", Long.class, "attempts", instanceId);
    }

    /** Due operations, at most one per entity and only the entity's oldest; executor creations or the rest. */
    Uni<List<Operation>> claim(String instanceId, Duration lease, int limit, boolean executorCreations) {
        return pool.preparedQuery(CLAIM)
                .execute(Tuple.of(instanceId, lease.toMillis() / 1000.0, limit, executorCreations))
                .map(rows -> {
                    List<Operation> ops = new ArrayList<>();
                    for (Row row : rows) {
                        ops.add(toOperation(row));
                    }
                    ops.sort((a, b) -> Long.compare(a.id(), b.id()));
                    return ops;
                });
    }

    /** An operation's outcome, recorded only while this instance holds its claim. */
    Uni<Void> finish(long id, String status, String error, Instant next, int attemptsDelta, String instanceId) {
        return pool.preparedQuery("""
                update sync_operation set status = $2, last_error = $3,
                       next_attempt_at = coalesce($4, next_attempt_at), attempts = attempts + $5,
                       locked_by = null, locked_until = null, updated_at = now()
                where id = $1 and locked_by = $6""")
                .execute(Tuple.tuple(List.of(id, status)).addString(error)
                        .addOffsetDateTime(next == null ? null : next.atOffset(ZoneOffset.UTC))
                        .addInteger(attemptsDelta).addString(instanceId))
                .replaceWithVoid();
    }

    /** One operation per entity, in one statement on the caller's connection; keys are made here, one each. */
    Uni<Void> insertAll(SqlClient c, String entityType, List<String> entityIds, String kind, String payload,
            String keyPrefix) {
        return c.preparedQuery("""
                insert into sync_operation (entity_type, entity_id, kind, payload, idempotency_key)
                select $1, id, $3, $4, $5 || gen_random_uuid() from unnest($2::text[]) as x(id)""")
                .execute(Tuple.tuple().addString(entityType).addArrayOfString(entityIds.toArray(String[]::new))
                        .addString(kind).addString(payload).addString(keyPrefix))
                .replaceWithVoid();
    }

    /** Pending operations by entity type, as the status's kinds (EXECUTOR_SYNC, TASK_SYNC). */
    Uni<List<Backlog.Figures>> backlog() {
        return pool.query("""
                select entity_type, count(*) as pending, min(created_at) as oldest from sync_operation
                where status = 'PENDING' group by entity_type""").execute().map(rows -> {
                    List<Backlog.Figures> figures = new ArrayList<>();
                    for (Row r : rows) {
                        figures.add(new Backlog.Figures(r.getString("entity_type") + "_SYNC", r.getLong("pending"),
                                null, 0, instant(r, "oldest")));
                    }
                    return figures;
                });
    }

    // ---------------------------------------------------------------- background jobs

    private static final String STALE_JOBS = """
            update sync_job set status = 'FAILED', error = 'Interrupted: the instance running it stopped',
                   finished_at = now(), updated_at = now()
            where status = 'RUNNING' and updated_at < now() - interval '2 minutes'""";

    /** Jobs whose instance died (no progress for two minutes) become FAILED; answers how many. */
    Uni<Integer> failStaleJobs() {
        return pool.query(STALE_JOBS).execute().map(r -> r.rowCount());
    }

    /** A new RUNNING job of this kind unless one is running; answers the id of the one running now. */
    Uni<Map.Entry<String, Boolean>> beginJob(String id, String kind, String actor) {
        return beginJob(id, kind, actor, 3);
    }

    // The running job may end between the refused insert and the read: then try again (a few times at most).
    private Uni<Map.Entry<String, Boolean>> beginJob(String id, String kind, String actor, int tries) {
        return failStaleJobs()
                .flatMap(v -> pool.preparedQuery("""
                        insert into sync_job (id, kind, requested_by)
                        select $1, $2, $3 where not exists (select 1 from sync_job where kind = $2 and status = 'RUNNING')
                        returning id""").execute(Tuple.of(id, kind, actor)))
                .flatMap(inserted -> inserted.rowCount() > 0 ? Uni.createFrom().item(Map.entry(id, true))
                        : pool.preparedQuery("select id from sync_job where kind = $1 and status = 'RUNNING'")
                                .execute(Tuple.of(kind))
                                .flatMap(rows -> rows.iterator().hasNext()
                                        ? Uni.createFrom().item(Map.entry(rows.iterator().next().getString("id"), false))
                                        : tries > 1 ? beginJob(id, kind, actor, tries - 1)
                                        : Uni.createFrom().failure(new IllegalStateException("No job could start"))));
    }

    Uni<Void> jobProgress(String id, Map<String, Long> counts) {
        return pool.preparedQuery("update sync_job set counts = $2, updated_at = now() where id = $1")
                .execute(Tuple.of(id, new JsonObject(new LinkedHashMap<>(counts)))).replaceWithVoid();
    }

    Uni<Void> finishJob(String id, Map<String, Long> counts, String error) {
        return pool.preparedQuery("""
                update sync_job set status = $3, counts = $2, error = $4, finished_at = now(), updated_at = now()
                where id = $1""")
                .execute(Tuple.of(id, new JsonObject(new LinkedHashMap<>(counts)),
                        error == null ? "COMPLETED" : "FAILED", error))
                .replaceWithVoid();
    }

    /** The job, or null. */
    Uni<SyncJobView> job(String id) {
        return pool.preparedQuery("select * from sync_job where id = $1").execute(Tuple.of(id)).map(rows -> {
            if (rows.rowCount() == 0) {
                return null;
            }
            Row r = rows.iterator().next();
            Map<String, Long> counts = new LinkedHashMap<>();
            r.getJsonObject("counts").forEach(e -> counts.put(e.getKey(), ((Number) e.getValue()).longValue()));
            return new SyncJobView(r.getString("id"), r.getString("kind"), r.getString("status"),
                    r.getString("requested_by"), counts, r.getString("error"), instant(r, "created_at"),
                    instant(r, "updated_at"), instant(r, "finished_at"));
        });
    }

    // ---------------------------------------------------------------- periodic jobs' runs

    Uni<Void> ran(String name, String outcome, String detail) {
        return pool.preparedQuery("""
                insert into job_run (name, last_run_at, outcome, detail) values ($1, now(), $2, $3)
                on conflict (name) do update set last_run_at = now(), outcome = $2, detail = $3""")
                .execute(Tuple.of(name, outcome, detail)).replaceWithVoid();
    }

    /** The last run of each periodic job, by name. */
    Uni<Map<String, SyncStatusView.Run>> runs() {
        return pool.query("select name, last_run_at, outcome, detail from job_run").execute().map(rows -> {
            Map<String, SyncStatusView.Run> runs = new LinkedHashMap<>();
            for (Row r : rows) {
                runs.put(r.getString("name"), new SyncStatusView.Run(instant(r, "last_run_at"), r.getString("outcome"),
                        r.getString("detail")));
            }
            return runs;
        });
    }

    private static Instant instant(Row r, String column) {
        OffsetDateTime t = r.getOffsetDateTime(column);
        return t == null ? null : t.toInstant();
    }

    private static Operation toOperation(Row row) {
        OffsetDateTime created = row.getOffsetDateTime("created_at");
        return new Operation(row.getLong("id"), row.getString("entity_type"), row.getString("entity_id"),
                row.getString("kind"), row.getString("payload"), row.getString("idempotency_key"),
                row.getInteger("attempts"), created == null ? null : created.toInstant());
    }
}
