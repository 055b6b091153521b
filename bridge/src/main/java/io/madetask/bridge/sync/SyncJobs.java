package io.madetask.bridge.sync;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.jboss.logging.Logger;

import io.madetask.bridge.common.BridgeException;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * Background jobs in the database: started once per kind at a time, their counts updated as they go, their end
 * recorded. A job whose instance died (no progress for two minutes) is marked FAILED at the next start-up or request.
 */
@ApplicationScoped
public class SyncJobs {

    private static final Logger LOG = Logger.getLogger(SyncJobs.class);

    private static final String STALE = """
            update sync_job set status = 'FAILED', error = 'Interrupted: the instance running it stopped',
                   finished_at = now(), updated_at = now()
            where status = 'RUNNING' and updated_at < now() - interval '2 minutes'""";

    private final Pool pool;

    SyncJobs(Pool pool) {
        this.pool = pool;
    }

    void start(@Observes StartupEvent event) {
        pool.query(STALE).execute().subscribe().with(r -> {
            if (r.rowCount() > 0) {
                LOG.warnf("%d sync jobs were interrupted by a stop and are marked FAILED", r.rowCount());
            }
        }, e -> LOG.debugf("Marking interrupted jobs failed: %s", e.toString()));
    }

    /** A new RUNNING job of this kind, or the one already running (then {@code started} is false). */
    public record Started(SyncJobView job, boolean started) {
    }

    public Uni<Started> begin(String kind, String actor) {
        String id = "job-" + UUID.randomUUID();
        return pool.query(STALE).execute()
                .flatMap(v -> pool.preparedQuery("""
                        insert into sync_job (id, kind, requested_by)
                        select $1, $2, $3 where not exists (select 1 from sync_job where kind = $2 and status = 'RUNNING')
                        returning id""").execute(Tuple.of(id, kind, actor == null ? "unknown" : actor)))
                .flatMap(inserted -> inserted.rowCount() > 0 ? get(id).map(job -> new Started(job, true))
                        : pool.preparedQuery("select id from sync_job where kind = $1 and status = 'RUNNING'")
                                .execute(Tuple.of(kind))
                                .flatMap(rows -> get(rows.iterator().next().getString("id")))
                                .map(job -> new Started(job, false)));
    }

    public Uni<Void> progress(String id, Map<String, Long> counts) {
        return pool.preparedQuery("update sync_job set counts = $2, updated_at = now() where id = $1")
                .execute(Tuple.of(id, new JsonObject(new LinkedHashMap<>(counts)))).replaceWithVoid();
    }

    public Uni<Void> finish(String id, Map<String, Long> counts, String error) {
        return pool.preparedQuery("""
                update sync_job set status = $3, counts = $2, error = $4, finished_at = now(), updated_at = now()
                where id = $1""")
                .execute(Tuple.of(id, new JsonObject(new LinkedHashMap<>(counts)), error == null ? "COMPLETED" : "FAILED", error)).replaceWithVoid();
    }

    public Uni<SyncJobView> get(String id) {
        return pool.preparedQuery("select * from sync_job where id = $1").execute(Tuple.of(id)).map(rows -> {
            if (rows.rowCount() == 0) {
                throw BridgeException.notFound("sync job", id);
            }
            Row r = rows.iterator().next();
            Map<String, Long> counts = new LinkedHashMap<>();
            r.getJsonObject("counts").forEach(e -> counts.put(e.getKey(), ((Number) e.getValue()).longValue()));
            return new SyncJobView(r.getString("id"), r.getString("kind"), r.getString("status"),
                    r.getString("requested_by"), counts, r.getString("error"), instant(r, "created_at"),
                    instant(r, "updated_at"), instant(r, "finished_at"));
        });
    }

    private static Instant instant(Row r, String column) {
        OffsetDateTime t = r.getOffsetDateTime(column);
        return t == null ? null : t.toInstant();
    }
}
